"""Fixed text of the protocol document: government guidance quoted as published (in a Welsh
document, its Welsh translation; the source keeps its English title, having no Welsh one)."""
from flask_babel import lazy_gettext as _l

GOLDEN_RULES_SOURCE = "HM Government, Information sharing: advice for practitioners providing safeguarding services to children, young people, parents and carers (July 2018)"

# Quoted from the July 2018 advice (seed 003), rule by rule.
GOLDEN_RULES = (
    _l("Remember that the General Data Protection Regulation (GDPR), Data Protection Act 2018 and human rights law "
       "are not barriers to justified information sharing, but provide a framework to ensure that personal information "
       "about living individuals is shared appropriately."),
    _l("Be open and honest with the individual (and/or their family where appropriate) from the outset about why, what, "
       "how and with whom information will, or could be shared, and seek their agreement, unless it is unsafe or "
       "inappropriate to do so."),
    _l("Seek advice from other practitioners, or your information governance lead, if you are in any doubt about sharing "
       "the information concerned, without disclosing the identity of the individual where possible."),
    _l("Where possible, share information with consent, and where possible, respect the wishes of those who do not "
       "consent to having their information shared. Under the GDPR and Data Protection Act 2018 you may share information "
       "without consent if, in your judgement, there is a lawful basis to do so, such as where safety may be at risk. You "
       "will need to base your judgement on the facts of the case. When you are sharing or requesting personal information "
       "from someone, be clear of the basis upon which you are doing so. Where you do not have consent, be mindful that an "
       "individual might not expect information to be shared."),
    _l("Consider safety and well-being: base your information sharing decisions on considerations of the safety and "
       "well-being of the individual and others who may be affected by their actions."),
    _l("Necessary, proportionate, relevant, adequate, accurate, timely and secure: ensure that the information you share "
       "is necessary for the purpose for which you are sharing it, is shared only with those individuals who need to have "
       "it, is accurate and up-to-date, is shared in a timely fashion, and is shared securely (see principles)."),
    _l("Keep a record of your decision and the reasons for it – whether it is to share information or not. If you decide "
       "to share, then record what you have shared, with whom and for what purpose."),
)

DPIA_INTRO = _l(
    "The data protection impact assessment of this sharing (UK GDPR Article 35), in short, as the register holds it. "
    "It is reviewed with this protocol, at its review date; the full assessment is kept by the lead organisation."
)
