"""The HTTP API's own wording for people: problem titles, and the details of the problems no
journey decided (the web framework's, a body too large, an idempotency key reused, a session)."""

# An HTTP body that is not JSON (not even UTF-8): no field to name.
BODY_NOT_JSON = "Le contenu de la requête n'est pas du JSON valide (Content-Type: application/json)."
BODY_TOO_LARGE = "Le contenu de la requête est trop volumineux : {limit} octets au plus."
# The HTTP API's problems: their titles, and the detail of those no journey decided.
TITLE_MALFORMED_BODY = "Contenu illisible"
TITLE_INVALID_INPUT = "Informations invalides"
TITLE_REFUSED = "Action refusée"
TITLE_JOURNEY_NOT_FOUND = "Parcours introuvable"
TITLE_JOURNEY_FINISHED = "Parcours terminé"
TITLE_SIGN_IN_NEEDED = "Connexion requise"
TITLE_ACCOUNT_NOT_FOUND = "Compte introuvable"
TITLE_IDEMPOTENCY_KEY_REUSED = "Clé d'idempotence déjà utilisée"
TITLE_UNAVAILABLE = "Service indisponible"
TITLE_JOURNEY_FAILED = "Échec du parcours"
TITLE_INTERNAL_ERROR = "Erreur interne"
IDEMPOTENCY_KEY_REUSED = "Cette clé d'idempotence (Idempotency-Key) a déjà servi pour une autre demande."
IDEMPOTENCY_KEY_REUSED_FIELD = "déjà utilisée pour une autre demande"
SERVICE_UNAVAILABLE = "Le service est momentanément indisponible. Veuillez réessayer."
# By HTTP status: (title, detail) of the problems the web framework raises itself.
HTTP_PROBLEMS = {
    400: ("Contenu illisible", "Le contenu de la requête n'a pas pu être lu."),
    401: ("Authentification requise", "Jeton d'accès (Authorization: Bearer …) absent ou incorrect."),
    404: ("Adresse inconnue", "Cette adresse ne correspond à aucune ressource du service."),
    405: ("Méthode non permise", "Cette méthode HTTP n'est pas possible à cette adresse."),
    413: ("Contenu trop volumineux", "Le contenu de la requête est trop volumineux."),
    415: ("Type de contenu non pris en charge", "Le contenu doit être du JSON (Content-Type: application/json)."),
}
HTTP_PROBLEM_OTHER = ("Requête refusée", "La requête n'a pas pu être traitée.")
# « Mon compte » without a valid session (parcours/http_api/sessions.py), by reason.
SESSION_REFUSED = {"session_missing": "Veuillez vous connecter.", "session_invalid": "Veuillez vous connecter.",
                   "session_expired": "Votre session a expiré. Veuillez vous reconnecter.",
                   "session_revoked": "Votre session a pris fin. Veuillez vous reconnecter."}
