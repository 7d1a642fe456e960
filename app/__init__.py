"""The Streamlit app: role-aware views of the graph."""
