from newsbite.sites.newscorp_au import newscorp_title

THE_AUSTRALIAN = newscorp_title("theaustralian", "theaustralian.com.au", default_topics=("isis",))
