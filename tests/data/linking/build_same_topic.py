"""Writes same-topic.json: ten invented stories on one topic (see README.md). Kept so the
data can be edited as prose and rebuilt: python tests/data/linking/build_same_topic.py"""

import json
from pathlib import Path

# Two background paragraphs every story carries word for word, as wire copy does.
CALIPHATE = (
    "Isis declared its so-called caliphate in 2014 after sweeping across large parts of Syria "
    "and Iraq. At its height the group ruled over millions of people, and its leader, Abu Bakr "
    "al-Baghdadi, has not been seen in public since he delivered a sermon in Mosul that summer."
)
OFFENSIVE = (
    "The Syrian Democratic Forces, a Kurdish-led alliance backed by the US-led coalition, have "
    "been advancing on the last pocket of Isis territory near the village of Baghouz, in the "
    "Euphrates valley, since September."
)

STORIES = [
    {
        "id": "topic-01-convoy",
        "headline": "Trucks carry thousands out of the last Isis enclave",
        "body": [
            "More than two thousand people were driven out of the last Isis enclave in eastern "
            "Syria yesterday, crammed into the backs of open lorries as the Syrian Democratic "
            "Forces paused their assault to let civilians leave.",
            "Most of those who left were women and children, many of them the wives and "
            "offspring of Isis fighters. They were taken to a screening point in the desert "
            "where men were separated and questioned.",
            "“We have not eaten bread for eleven days,” said one woman from Aleppo, who gave her "
            "name as Umm Khaled. “The children were eating grass boiled in water.”",
            "Serhat Amed, an SDF spokesman, said the convoy was the largest since the "
            "evacuations began and that more lorries would go in today if the ceasefire held.",
            CALIPHATE,
            "Coalition officials estimate that fewer than a thousand fighters remain inside, "
            "holed up in tunnels and tents along the riverbank.",
            OFFENSIVE,
            "Colonel Dean Whitlock, a coalition spokesman, said the pause was a matter of "
            "weeks, not months. “Once the civilians are out, the operation resumes,” he said.",
        ],
    },
    {
        "id": "topic-02-repatriation",
        "headline": "Ministers split over return of captured jihadists",
        "body": [
            "European governments are under growing pressure to take back hundreds of their "
            "citizens held by Kurdish forces in northeast Syria, after Washington warned that "
            "the prisons could not hold them indefinitely.",
            "About eight hundred foreign fighters are in the custody of the Syrian Democratic "
            "Forces, alongside more than two thousand of their wives and children in camps.",
            "A senior diplomat said ministers had discussed a plan to try the men in Iraq, "
            "but several countries objected because Iraqi courts can impose the death penalty.",
            "“These are our citizens and our problem,” said Anneke Verhoef, a lawyer who "
            "represents eleven Dutch families. “Leaving them in the desert is not a policy.”",
            CALIPHATE,
            "Serhat Amed, an SDF spokesman, said the alliance had neither the money nor the "
            "guards to hold the detainees for years and urged their home countries to act.",
            OFFENSIVE,
            "Officials fear that a sudden withdrawal of American troops could lead to mass "
            "breakouts, as happened when Isis stormed Iraqi prisons in 2013.",
        ],
    },
    {
        "id": "topic-03-camp",
        "headline": "Aid agencies warn camp is at breaking point",
        "body": [
            "Aid agencies have warned that the al-Hol camp in northeast Syria is close to "
            "collapse after its population tripled in a month to more than forty thousand.",
            "At least sixty children have died of hypothermia, malnutrition or untreated "
            "wounds on the journey to the camp or shortly after arriving, according to the "
            "Euphrates Relief Network.",
            "“We planned for ten thousand people,” said Mariam Osseiran, the network’s field "
            "coordinator. “There are not enough tents, latrines or doctors for this number.”",
            "New arrivals wait for days in an open reception area exposed to wind and rain "
            "before they are allocated shelter. Water is trucked in twice a day.",
            CALIPHATE,
            "Many of the women in the camp remain loyal to the group, and guards say fights "
            "break out between them and families who fled Isis rule earlier.",
            OFFENSIVE,
            "The United Nations has appealed for emergency funding, but donors have been "
            "reluctant to pay for a camp that houses so many relatives of fighters.",
        ],
    },
    {
        "id": "topic-04-grave",
        "headline": "Mass grave near Raqqa may hold three thousand bodies",
        "body": [
            "Investigators have begun exhuming a mass grave on the outskirts of Raqqa that "
            "local officials believe contains the remains of as many as three thousand people "
            "killed while the city was under Isis control.",
            "The site, a former farm known as Fukheikha, was found in January when a shepherd "
            "noticed disturbed earth. Teams in white suits have so far recovered more than five "
            "hundred bodies.",
            "“Some were still wearing the orange jumpsuits the group put on prisoners before "
            "executions,” said Yasser Hamo, who leads the local recovery team.",
            "Families of the missing gather at the fence each morning, hoping to identify "
            "clothing or belongings laid out on plastic sheets.",
            CALIPHATE,
            "Raqqa, which the group called its capital, fell in October 2017 after a four-month "
            "battle that left much of the city in ruins.",
            OFFENSIVE,
            "Human rights groups have called for forensic experts from abroad, warning that "
            "evidence needed for future prosecutions could be lost.",
        ],
    },
    {
        "id": "topic-05-airstrikes",
        "headline": "Coalition accused over civilian deaths in airstrikes",
        "body": [
            "A monitoring group has accused the US-led coalition of killing at least forty "
            "civilians in airstrikes on the Isis enclave over the past week, a claim the "
            "coalition says it is investigating.",
            "The group said that a strike on a tented camp on the edge of Baghouz on Sunday "
            "night killed sixteen members of two families who had been trying to leave.",
            "Colonel Dean Whitlock, a coalition spokesman, said every allegation was reviewed. "
            "“We take extraordinary measures to avoid harming civilians,” he said.",
            "Survivors who reached the screening point described nights of constant "
            "bombardment. “The planes never stopped,” said a man from Hajin. “We slept in holes.”",
            CALIPHATE,
            "The coalition acknowledged in its last monthly report that its strikes in Iraq "
            "and Syria had unintentionally killed more than a thousand civilians since 2014.",
            OFFENSIVE,
            "Serhat Amed, an SDF spokesman, blamed Isis for using civilians as human shields "
            "and said fighters had fired on families trying to escape.",
        ],
    },
    {
        "id": "topic-06-border",
        "headline": "Iraq sends troops to seal Syrian border",
        "body": [
            "Iraq has deployed several thousand extra soldiers to its border with Syria amid "
            "fears that Isis fighters fleeing the collapse of their last enclave will try to "
            "slip across into Anbar province.",
            "Armoured units and Shia militias of the Popular Mobilisation Forces have taken up "
            "positions along a stretch of desert near al-Qaim, the army said.",
            "“Every crossing point is watched day and night,” said Brigadier Ali Jaber, a "
            "border commander. “Drones patrol the areas our vehicles cannot reach.”",
            "Smugglers in the area say that fighters have been paying up to two thousand "
            "dollars each to be guided across the frontier at night.",
            CALIPHATE,
            "Iraq declared victory over the group in December 2017, but attacks by sleeper "
            "cells continue in the provinces of Kirkuk, Diyala and Salahuddin.",
            OFFENSIVE,
            "Colonel Dean Whitlock, a coalition spokesman, said the coalition was sharing "
            "intelligence with Baghdad on the movements of senior Isis commanders.",
        ],
    },
    {
        "id": "topic-07-trial",
        "headline": "Baghdad court sentences foreign fighters to death",
        "body": [
            "An Iraqi court has sentenced three French citizens to death for belonging to "
            "Isis, the first of a group of thirteen handed over by Kurdish forces in Syria.",
            "The hearings at the central criminal court in Baghdad lasted less than an hour "
            "each. The men told the judge they had been tortured into confessing, a claim the "
            "court rejected.",
            "“Justice cannot be done in twenty minutes,” said Claire Dumoulin, a lawyer for "
            "one of the families. “This is not a trial, it is a conveyor belt.”",
            "Paris has said it opposes the death penalty in all circumstances but respects "
            "the sovereignty of Iraqi justice.",
            CALIPHATE,
            "Iraq has tried thousands of suspected members of the group since 2017, many of "
            "them in mass hearings criticised by human rights organisations.",
            OFFENSIVE,
            "Serhat Amed, an SDF spokesman, said more transfers to Iraq were possible if the "
            "countries concerned agreed.",
        ],
    },
    {
        "id": "topic-08-mosul",
        "headline": "Builders begin to restore Mosul’s ruined old city",
        "body": [
            "Stonemasons have begun rebuilding the leaning minaret of the al-Nuri mosque in "
            "Mosul, which Isis fighters blew up in 2017 as Iraqi forces closed in.",
            "The project, funded by the United Arab Emirates and overseen by Unesco, is "
            "expected to take five years and will reuse as many of the original bricks as "
            "possible.",
            "“Every brick is numbered and photographed,” said Nabil Yousif, an engineer on "
            "the site. “We want the minaret to lean exactly as it did before.”",
            "Much of the old city on the west bank of the Tigris remains in ruins, and "
            "residents complain that unexploded bombs and bodies still lie under the rubble.",
            CALIPHATE,
            "Mosul was retaken in July 2017 after a nine-month battle in which thousands of "
            "civilians are thought to have died.",
            OFFENSIVE,
            "For many residents the restoration of the mosque matters less than electricity, "
            "clean water and compensation for destroyed homes.",
        ],
    },
    {
        "id": "topic-09-sleeper-cells",
        "headline": "Sleeper cells strike as enclave falls",
        "body": [
            "A car bomb killed seven people at a market in the town of Shaddadi yesterday, "
            "the latest in a string of attacks behind the front line that officials blame on "
            "Isis sleeper cells.",
            "The explosion tore through stalls selling vegetables and fuel shortly after dawn. "
            "Among the dead were two SDF fighters who had been buying bread.",
            "“They lost their land but they have not gone away,” said Serhat Amed, an SDF "
            "spokesman. “Their people are in every village, waiting.”",
            "Security officials in Deir ez-Zor say assassinations of local council members "
            "have risen sharply since the start of the year.",
            CALIPHATE,
            "Analysts have warned that the group is returning to the insurgent tactics it used "
            "in Iraq before 2014, with small cells, roadside bombs and extortion.",
            OFFENSIVE,
            "Colonel Dean Whitlock, a coalition spokesman, said the defeat of the enclave "
            "would not mean the end of the group. “This fight will go on,” he said.",
        ],
    },
    {
        "id": "topic-10-yazidi",
        "headline": "Freed Yazidi women reunited with families",
        "body": [
            "Twenty-four Yazidi women and children held captive by Isis for more than four "
            "years have been reunited with their families in northern Iraq after escaping the "
            "collapsing enclave.",
            "They were among the thousands of Yazidis abducted when the group overran Sinjar "
            "in August 2014 and killed or enslaved members of the religious minority.",
            "“My daughter was nine when they took her. Now she is fourteen and does not "
            "remember her own language,” said Khairi Murad, weeping at the border crossing.",
            "Yazidi leaders say more than three thousand of their people are still missing, "
            "and fear that many children were raised as fighters.",
            CALIPHATE,
            "Mariam Osseiran of the Euphrates Relief Network said the women needed long-term "
            "psychological care that the camps could not offer.",
            OFFENSIVE,
            "Some of the freed women had been sold several times between fighters, and were "
            "found among the families who left the enclave on lorries last week.",
        ],
    },
]

if __name__ == "__main__":
    out = Path(__file__).with_name("same-topic.json")
    data = {
        "_about": "Invented stories (see README.md): ten different stories on one topic.",
        "stories": STORIES,
    }
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
