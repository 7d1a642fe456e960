"""Name pools for the synthetic world.

Given names come from one mixed pool of common names of many origins, drawn the same way for
everyone; family names are built from invented syllables, so no generated full name belongs to a
real family. Nicknames give the cross-agency variation real records show (William / Bill).
"""

from __future__ import annotations

FEMALE = (
    "Zoë Chloé Renée Siân Inés Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace "
    "Freya Ella Evie Florence Poppy Aisha "
    "Fatima Maryam Zainab Amira Hana Noor Layla Sara Inaya Priya Anjali Simran Kiran Aaliyah Chloe "
    "Jessica Emily Hannah Lucy Megan Katie Charlotte Rebecca Sophie Abigail Elizabeth Margaret Victoria "
    "Catherine Jennifer Susan Patricia Deborah Natalie Kimberly Zofia Oliwia Maja Julia Precious Chidinma "
    "Adaeze Amara Zara Leah Ruby Alice Eleanor Daisy Niamh Siobhan Aoife Catrin"
).split()
MALE = (
    "Seán José Oliver George Noah Arthur Leo Harry Oscar Jack Charlie Jacob Thomas William James Henry Alfie "
    "Muhammad Mohammed Ali Omar Yusuf Ibrahim Hamza Zain Ayaan Arjun Rohan Aarav Hassan Bilal Imran "
    "Daniel Joshua Samuel Benjamin Joseph Matthew Robert Michael Richard Christopher Anthony Edward "
    "Jonathan Stephen Nicholas Andrew Kevin Jakub Szymon Kacper Mateusz Emeka Chinedu Tobi Kwame Dylan "
    "Ryan Connor Liam Sean Callum Rhys Owen Gareth Kai Reuben Theo Isaac Elijah Adam Jamal"
).split()

NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy"),
    "Robert": ("Bob", "Rob", "Bobby"),
    "Richard": ("Rick", "Dick", "Rich"),
    "Michael": ("Mike", "Mick"),
    "James": ("Jim", "Jamie"),
    "Thomas": ("Tom", "Tommy"),
    "Joseph": ("Joe",),
    "Daniel": ("Dan", "Danny"),
    "Samuel": ("Sam",),
    "Benjamin": ("Ben",),
    "Matthew": ("Matt",),
    "Christopher": ("Chris",),
    "Anthony": ("Tony", "Ant"),
    "Edward": ("Ed", "Ted", "Eddie"),
    "Jonathan": ("Jon", "Jonny"),
    "Stephen": ("Steve",),
    "Nicholas": ("Nick",),
    "Andrew": ("Andy", "Drew"),
    "Jacob": ("Jake",),
    "Charlie": ("Charles",),
    "Alfie": ("Alfred",),
    "Henry": ("Harry",),
    "Mohammed": ("Mohammad", "Mo"),
    "Muhammad": ("Mohammed", "Mo"),
    "Ibrahim": ("Ibi",),
    "Yusuf": ("Yousef",),
    "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Margaret": ("Maggie", "Peggy"),
    "Catherine": ("Kate", "Cath"),
    "Katie": ("Kate",),
    "Jennifer": ("Jen", "Jenny"),
    "Rebecca": ("Becky", "Bex"),
    "Susan": ("Sue",),
    "Patricia": ("Pat", "Trish"),
    "Deborah": ("Debbie", "Deb"),
    "Victoria": ("Vicky", "Tori"),
    "Abigail": ("Abby",),
    "Jessica": ("Jess",),
    "Charlotte": ("Lottie", "Charlie"),
    "Isabella": ("Bella", "Izzy"),
    "Natalie": ("Nat",),
    "Kimberly": ("Kim",),
    "Eleanor": ("Ellie", "Nell"),
    "Sophia": ("Sophie",),
    "Amelia": ("Millie",),
    "Florence": ("Flo",),
    "Oliwia": ("Olivia",),
    "Zofia": ("Sofia",),
}

SURNAME_START = (
    "Ab Al Ash Bar Bel Bram Cal Car Dal Den Dor El Fal Fen Gar Gil Hal Har Hol Ing Jar Kel Kir Lan Lor "
    "Mal Mar Mor Nal Nor Okon Ol Pal Per Quin Ral Ren Sal Sel Tal Tor Ul Val Ven War Wel Yal Zan Adeb "
    "Chuk Kaur Nowa Sidd Rah Hus Okaf Dhar Mens Kow Obi Sza"
).split()
SURNAME_END = (
    "ford by ley ton wick well man son more dale worth ridge croft hurst gate field stone ani ara eke ayo "
    "iq ullah ani ewski czyk ova dottir ez ini ard ett ick ock ough"
).split()
