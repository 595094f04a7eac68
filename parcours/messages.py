"""The French wording shown to users, from the help pages in shared/seeds (English in comments)."""

from __future__ import annotations

# Input that fails its model, naming the fields (never their values: one may be a password).
INPUT_INVALID = "Certaines informations sont invalides : {fields}."
INPUT_INVALID_AS_A_WHOLE = "Certaines informations sont invalides."  # e.g. not an object at all
JOURNEY_FAILED = "Le parcours a échoué. Veuillez recommencer."
DATE_ISO = "date au format AAAA-MM-JJ"
DATE_FORMS = "date au format JJ MM AAAA ou AAAA-MM-JJ"
DATE_IMPOSSIBLE = "cette date n'existe pas"
MOBILE_CHARACTERS = "uniquement des chiffres, espaces, points, tirets, parenthèses et un + ou 00 initial"
# R-ACT-1: the number or address is not the school's for this person.
IDENTITY_MISMATCH_SMS = "Le numéro que vous avez renseigné ne vous a pas été attribué dans EduConnect"
IDENTITY_MISMATCH_MAIL = "L'adresse mail que vous avez renseignée ne vous a pas été attribuée dans EduConnect"
IDENTITY_PROMPT = (
    "Pour activer votre compte, vous devez d'abord confirmer votre identité et renseigner le numéro "
    "de téléphone portable ou l'adresse mail communiqué à l'école ou à l'établissement scolaire."
)
# R-ACT-2: already active -> sign in or recover.
ALREADY_ACTIVE = (
    "Votre compte est déjà activé. Connectez-vous avec votre identifiant et votre mot de passe, "
    "ou utilisez « Identifiant oublié » ou « Mot de passe oublié »."
)
# R-ACT-1 with uniform answers (setting): the same words whether or not the identity matched.
IDENTITY_UNIFORM_ANSWER = ("Si ces informations correspondent à celles connues de l'école ou de l'établissement, "
                           "un code de sécurité vient de vous être envoyé.")
# R-ACT-2 with uniform answers: told to the school's contact, never on screen.
ALREADY_ACTIVE_SMS = ("EduConnect : votre compte {identifier} est déjà activé. Connectez-vous ou utilisez "
                      "« Mot de passe oublié ». Si vous n'avez rien demandé, ignorez ce message.")
ALREADY_ACTIVE_MAIL_SUBJECT = "EduConnect : votre compte est déjà activé"
ALREADY_ACTIVE_MAIL_BODY = (
    "Bonjour,\n\nUne activation de compte EduConnect a été demandée avec cette adresse. Votre compte "
    "{identifier} est déjà activé : connectez-vous avec votre identifiant et votre mot de passe, ou utilisez "
    "« Mot de passe oublié ».\n\nSi vous n'avez rien demandé, ignorez ce message."
)
# R-ACT-3
CODE_SENT = "Un code de sécurité a été envoyé"
CODE_SENT_DETAIL = "Nous venons de vous envoyer un code de sécurité (valable {minutes} min) au {destination}"
CODE_PROMPT_SMS = "Je saisis le code de sécurité reçu par SMS"
CODE_PROMPT_MAIL = "Je saisis le code de sécurité reçu par mail"
# R-ACT-4
CODE_INCORRECT = "Le code est incorrect. Veuillez le saisir à nouveau."
# A code that cannot be the one sent (its length): invalid input, not a try.
CODE_LENGTH = "le code est composé de {digits} chiffres"
CODE_VOID = "Ce code n'est plus valable après trop d'essais. Demandez un nouveau code."
# R-ACT-5
CODE_EXPIRED = "Le code d'activation n'est plus valable. Veuillez recommencer."
# R-ACT-6
RESEND_SMS = "Je n'ai pas reçu le SMS — Renvoyer le SMS"
RESEND_MAIL = "Je n'ai pas reçu le mail — Renvoyer le mail"
RESEND_TOO_SOON = "Veuillez patienter avant de demander un nouveau code (possible à partir de {time})."
RESEND_NOT_YET = "Veuillez patienter avant de demander un nouveau code."
RESEND_CAP_REACHED = "Vous avez demandé trop de codes pour cette activation. Veuillez recommencer plus tard."
CODE_NOT_SENT = "Le code n'a pas pu être envoyé. Réessayez avec « Renvoyer le code »."
LINK_NOT_SENT = "Le mail n'a pas pu être envoyé. Réessayez avec « Renvoyer le mail »."
# Abuse limits (issue 6): a destination's messages per hour and day; an account's failed tries per hour.
DESTINATION_LIMITED = ("Trop de messages ont été envoyés à ce numéro ou à cette adresse. "
                       "Un nouvel envoi sera possible à partir de {time}.")
ACCOUNT_TRIES_EXHAUSTED = ("Trop de tentatives infructueuses sur ce compte. "
                           "Vous pourrez réessayer à partir de {time}, ou utiliser « Mot de passe oublié ».")
# R-ACT-7
CHILDREN_PROMPT = (
    "Pour avoir accès aux services concernant les élèves ci-dessous, vous devez confirmer que vous "
    "êtes bien représentant légal ou personne en charge de ces élèves et renseigner leurs dates de naissance."
)
CHILD_QUESTION = {
    "legal_representative": "Je confirme être le représentant légal de l'élève suivant",
    "person_in_charge": "Je confirme être la personne en charge de l'élève suivant",
}
# The two answers the seed offers under each question (« Je ne suis pas le représentant légal »).
CHILD_ANSWERS = {
    "legal_representative": ("Je suis le représentant légal de cet élève",
                             "Je ne suis pas le représentant légal de cet élève"),
    "person_in_charge": ("Je suis la personne en charge de cet élève",
                         "Je ne suis pas la personne en charge de cet élève"),
}
# « Mes enfants »: a child's role and the state of its link, as a screen shows them.
ROLE_LABELS = {"legal_representative": "Représentant légal", "person_in_charge": "Personne en charge"}
LINK_STATUS_LABELS = {"confirmed": "Lien confirmé", "unconfirmed": "Lien non confirmé", "new": "Lien à confirmer"}
BIRTH_DATE_INCORRECT = "La date de naissance saisie est incorrecte"
CHILD_LEFT_UNCONFIRMED = (
    "La date de naissance saisie est incorrecte. Rapprochez-vous de la Direction de l'école pour lui "
    "demander de rectifier la date. Continuez votre inscription cependant."
)
CHILD_CONFIRMED = "Le lien avec cet élève est confirmé."
LINK_REPORTED = (
    "Votre signalement est enregistré : cet élève ne sera pas rattaché à votre compte. "
    "S'il y a un seul lien responsable-élève, l'action ne sera pas prise en compte."
)
# R-ACT-8
NOTE_IDENTIFIER = "Notez votre identifiant EduConnect. Vous en aurez besoin pour votre prochaine connexion."
PASSWORD_PROMPT = "Je choisis mon nouveau mot de passe"
PASSWORD_CONFIRMATION_MISMATCH = "Les deux mots de passe saisis ne sont pas identiques."
PASSWORD_POLICY_UNMET = "Le mot de passe ne respecte pas les critères de sécurité."
# R-ACT-9
ACTIVATED = "Votre compte a été activé avec succès"
# Journey ends
ABANDONED = "Votre demande d'activation a expiré faute d'activité. Veuillez recommencer."
SUPERSEDED = "Une nouvelle demande d'activation a été faite pour ce compte : celle-ci n'est plus valable."
UNKNOWN_ACCOUNT = "Ce compte n'existe pas."
NOT_NOW = "Cette action n'est pas possible à cette étape."
UNKNOWN_STUDENT = "Cet élève n'est pas à confirmer."
UNKNOWN_STUDENT_FIELD = "cet élève n'attend pas de confirmation"
# A fault of ours (a workflow bug, a dependency down past its budget): the journey stays where it was.
INTERNAL_ERROR = "Une erreur inattendue est survenue. Veuillez réessayer."
JOURNEY_FINISHED = "Ce parcours est terminé : il n'attend plus rien. Pour une nouvelle demande, commencez-en un autre."
UNKNOWN_JOURNEY = "Ce parcours n'existe pas. Veuillez recommencer."

# Message bodies (SMS and mail)
SMS_CODE_BODY = (
    "EduConnect : votre code de sécurité est {code}. Il est valable {minutes} min. Ne le communiquez à personne."
)
MAIL_CODE_SUBJECT = "EduConnect : votre code de sécurité"
MAIL_CODE_BODY = (
    "Bonjour,\n\nVotre code de sécurité pour activer votre compte EduConnect est : {code}\n"
    "Il est valable {minutes} min. Ne le communiquez à personne.\n\n"
    "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n"
)

# Sign-in and password change (R-CON-1)
SIGN_IN_INVALID = "Identifiant ou mot de passe incorrect."
SIGN_IN_LOCKED = (
    "Trop de tentatives : votre compte est bloqué jusqu'à {time}. Réessayez plus tard ou utilisez « Mot "
    "de passe oublié »."
)
SIGN_IN_LOCKED_FOR_NOW = ("Trop de tentatives : votre compte est bloqué. Réessayez plus tard ou utilisez « Mot de "
                          "passe oublié ».")
SIGNED_IN = "Vous êtes connecté."
CURRENT_PASSWORD_WRONG = "Le mot de passe actuel est incorrect."
NEW_PASSWORD_SAME = "Le nouveau mot de passe doit être différent de l'actuel."
PASSWORD_CHANGE_PROMPT = "Modifier mon mot de passe : saisissez votre mot de passe actuel puis le nouveau, deux fois."
PASSWORD_CHANGED = "Votre mot de passe a été modifié. Il sera demandé à votre prochaine connexion."
FRANCECONNECT_PASSWORD = (
    "Vous vous connectez avec FranceConnect : votre mot de passe n'est pas géré par EduConnect. "
    "Consultez la FAQ FranceConnect : https://franceconnect.gouv.fr/faq"
)
PASSWORD_NOTICE_SUBJECT = "EduConnect : votre mot de passe a été modifié"
PASSWORD_NOTICE_BODY = (
    "Bonjour,\n\nLe mot de passe de votre compte EduConnect ({identifier}) a été modifié le {date}.\n"
    "Si vous n'êtes pas à l'origine de ce changement, contactez sans attendre l'établissement scolaire "
    "ou l'assistance EduConnect.\n"
)
PASSWORD_NOTICE_SMS = (
    "EduConnect : le mot de passe du compte {identifier} a été modifié le {date}. "
    "Si ce n'est pas vous, contactez l'établissement scolaire."
)

# Recovery (R-REC-1 … R-REC-7)
CONTACT_SCHOOL = (
    "Si vous ne recevez rien, il se peut qu'aucune adresse mail ou aucun numéro confirmé ne soit rattaché à "
    "votre compte : contactez la direction de l'établissement, qui pourra vous donner votre identifiant ou "
    "réinitialiser votre mot de passe."
)
IDENTIFIER_REQUEST_PROMPT = (
    "Identifiant oublié : indiquez l'adresse mail ou le numéro de portable confirmé de votre compte."
)
IDENTIFIER_REQUEST_ANSWER = (
    "Si cette adresse ou ce numéro est rattaché à un compte, un message contenant l'identifiant vient "
    "d'être envoyé."
)
NOT_RECOGNISED_MAIL = "L'adresse mail n'est pas reconnue."
NOT_RECOGNISED = "Ces informations ne correspondent à aucun compte pouvant être dépanné ainsi."
IDENTIFIER_MAIL_SUBJECT = "EduConnect : votre identifiant"
IDENTIFIER_MAIL_BODY = "Bonjour,\n\nVoici l'identifiant EduConnect rattaché à cette adresse :\n{lines}\n"
IDENTIFIER_SMS_BODY = "EduConnect : votre identifiant est {lines}"
FRANCECONNECT_LINE = "{identifier} (ce compte se connecte avec FranceConnect : https://franceconnect.gouv.fr/faq)"
RESET_REQUEST_PROMPT = "Mot de passe oublié : indiquez votre identifiant et l'adresse mail de votre compte."
RESET_LINK_ANSWER = (
    "Si ces informations correspondent à un compte, un mail contenant un lien pour réinitialiser votre mot de "
    "passe vient d'être envoyé. Le lien est valable {minutes} min et ne sert qu'une fois."
)
RESET_MAIL_SUBJECT = "EduConnect : réinitialisation de votre mot de passe"
RESET_MAIL_BODY = (
    "Bonjour,\n\nPour choisir un nouveau mot de passe pour le compte {identifier}, ouvrez ce lien "
    "(valable {minutes} min, utilisable une fois) :\n{link}\n\n"
    "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe ne change pas.\n"
)
FRANCECONNECT_RESET_MAIL_BODY = (
    "Bonjour,\n\nUne réinitialisation du mot de passe a été demandée pour le compte {identifier}. Ce compte se "
    "connecte avec FranceConnect : son mot de passe n'est pas géré par EduConnect. "
    "Consultez la FAQ FranceConnect : https://franceconnect.gouv.fr/faq\n"
)
LINK_INVALID = "Ce lien n'est pas valable : il a expiré, a déjà servi ou a été remplacé par une demande plus récente."
LINK_EXPIRED = "Le lien de réinitialisation a expiré. Veuillez refaire une demande."
NEW_PASSWORD_PROMPT = "Je choisis mon nouveau mot de passe"
PASSWORD_RESET_DONE = "Votre mot de passe a été réinitialisé. Vous pouvez vous connecter avec votre identifiant."
RECOVERY_ABANDONED = "Votre demande a expiré faute d'activité. Veuillez recommencer."
RESET_SUPERSEDED = "Une demande plus récente a été faite pour ce compte : ce lien n'est plus valable."
RESET_CODE_ANSWER = (
    "Si cet identifiant correspond à un compte avec un numéro de portable confirmé, un code de sécurité "
    "(valable {minutes} min) vient d'être envoyé par SMS."
)
RESET_CODE_PROMPT = "J'indique le code d'activation reçu par SMS (valable 30min)"
SMS_RESET_CODE_BODY = (
    "EduConnect : votre code pour choisir un nouveau mot de passe est {code}. Il est valable {minutes} "
    "min. Ne le communiquez à personne."
)
FRANCECONNECT_RESET_SMS = (
    "EduConnect : le compte {identifier} se connecte avec FranceConnect, son mot de passe n'est pas géré "
    "ici. FAQ : https://franceconnect.gouv.fr/faq"
)

# « Mes enfants » (R-KID-1 … R-KID-3)
NEW_CHILDREN_PROMPT = (
    "De nouveaux élèves sont rattachés à votre compte. Confirmez que vous êtes bien représentant légal "
    "ou personne en charge de ces élèves et renseignez leurs dates de naissance."
)
NOTHING_TO_CONFIRM = "Aucun nouvel élève à confirmer."
CHILDREN_CONFIRMED = "Vos réponses sont enregistrées."
LINK_REPORT_DONE = (
    "Votre signalement est enregistré : cet élève n'apparaît plus dans votre compte et les services sont prévenus."
)
LINK_REPORT_ONLY_LINK = "S'il y a un seul lien responsable-élève, l'action ne sera pas prise en compte."
LINK_REPORT_NOT_LINKED = "Cet élève n'est pas rattaché à votre compte."
MERGE_PROMPT = (
    "Ajouter des élèves depuis un autre compte : indiquez l'identifiant et le mot de passe (provisoire ou "
    "actuel) de l'autre compte. Il est impératif que le nom et le prénom des comptes à regrouper soient identiques."
)
MERGE_DONE = (
    "Les élèves de l'autre compte ont été ajoutés à ce compte. L'autre compte est fermé : connectez-vous "
    "désormais avec celui-ci."
)
MERGE_NAMES_DIFFER = "Il est impératif que le nom et le prénom des comptes à regrouper soient identiques."
MERGE_SAME_ACCOUNT = "C'est le compte avec lequel vous êtes connecté : indiquez l'autre compte."
SIGN_IN_MERGED = "Ce compte a été regroupé avec un autre compte : connectez-vous avec l'identifiant de celui-ci."

# Contact changes (R-CON-2 … R-CON-9)
EMAIL_CHANGE_PROMPT = "Modifier mon adresse mail : saisissez la nouvelle adresse deux fois."
EMAIL_MISMATCH = "Les deux adresses saisies ne sont pas identiques."
EMAIL_SAME_AS_CURRENT = "Cette adresse est déjà celle de votre compte."
EMAIL_PENDING = "Une adresse email est en attente de confirmation. Vous devez confirmer votre adresse mail."
EMAIL_LINK_SENT = (
    "Un courriel de validation a été envoyé à {address}. Cliquez sur le lien pour l'enregistrer (valable "
    "{hours} h)."
)
RESEND_MAIL_LINK = "Renvoyer le mail"
EMAIL_CONFIRM_PROMPT = "Confirmez le changement d'adresse mail de votre compte."
EMAIL_CONFIRMED = "Votre nouvelle adresse mail est enregistrée."
EMAIL_LINK_EXPIRED = "Le lien de confirmation a expiré : votre adresse mail n'a pas changé."
EMAIL_CONFIRM_MAIL_SUBJECT = "EduConnect : confirmez votre nouvelle adresse mail"
EMAIL_CONFIRM_MAIL_BODY = (
    "Bonjour,\n\nPour enregistrer cette adresse sur le compte EduConnect {identifier}, ouvrez ce lien "
    "(valable {hours} h) puis confirmez, connecté à votre compte :\n{link}\n\n"
    "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n"
)
EMAIL_NOTICE_SUBJECT = "EduConnect : demande de changement d'adresse mail"
EMAIL_NOTICE_BODY = (
    "Bonjour,\n\nUn changement d'adresse mail a été demandé pour le compte EduConnect {identifier} : "
    "la nouvelle adresse ({new_masked}) doit être confirmée. Tant qu'elle ne l'est pas, cette adresse-ci "
    "reste celle du compte. Si vous n'êtes pas à l'origine de cette demande, changez votre mot de passe "
    "et contactez l'établissement scolaire.\n"
)
WRONG_ACCOUNT = "Ce lien concerne un autre compte : connectez-vous avec le compte concerné."
MOBILE_CHANGE_PROMPT = "Modifier mon numéro de portable : saisissez le nouveau numéro."
MOBILE_PENDING = "Vous devez confirmer votre numéro : saisissez le code reçu par SMS (valable {minutes} min)."
MOBILE_RESEND = "Je n'ai pas reçu le code par SMS"
MOBILE_CONFIRMED = "Votre nouveau numéro de portable est enregistré."
MOBILE_SAME_AS_CURRENT = "Ce numéro est déjà celui de votre compte."
MOBILE_GUARDIANS_ONLY = "Seuls les comptes responsables ont un numéro de portable."
SMS_MOBILE_CODE_BODY = "EduConnect : votre code pour confirmer ce numéro est {code}. Il est valable {minutes} min."

# Activation by notification letter (R-ACT-10)
LETTER_PROMPT = "Saisissez l'identifiant et le mot de passe provisoire de votre notification."
LETTER_DETAILS_PROMPT = (
    "Pour activer votre compte, renseignez une adresse mail valide (obligatoire pour les responsables) "
    "et choisissez votre mot de passe."
)
LETTER_EMAIL_REQUIRED = "Une adresse mail valide est obligatoire pour activer un compte responsable."
LETTER_ACTIVATED = (
    "Votre compte a été activé avec succès. Un courriel de validation a été envoyé à votre adresse mail : "
    "cliquez sur le lien pour la confirmer."
)
LETTER_ACTIVATED_NO_EMAIL = "Votre compte a été activé avec succès."

# Activation through FranceConnect (R-ACT-11)
FC_NOT_FOUND = (
    "Nous n'avons pas trouvé de responsable d'élève à ce nom avec l'adresse mail de votre compte FranceConnect. "
    "Vérifiez auprès de l'établissement l'adresse mail qui lui a été communiquée."
)
FC_SUBJECT_TAKEN = (
    "Ce compte FranceConnect est déjà rattaché à un compte EduConnect : connectez-vous avec FranceConnect."
)
FC_ACTIVATED = "Votre compte a été activé avec succès. Vous vous connecterez avec FranceConnect."
