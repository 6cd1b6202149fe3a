"""Default settings. Every one can be overridden by an ISA_* environment variable."""
from datetime import timedelta


class DefaultConfig:
    SQLALCHEMY_DATABASE_URI = None  # set from the instance folder in create_app()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY = None  # read from instance/secret_key, created on first start
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True  # relaxed for local development in create_app()
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    SESSION_IDLE_MINUTES = 60
    SESSION_MAX_HOURS = 8  # a session ends this long after sign-in, however busy
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_CHECK_DEFAULT = False  # checked by isa.core.web once the sender is known (never weaker)
    SQLITE_BUSY_TIMEOUT = 60  # seconds a SQLite writer waits for another (a large import) before giving up
    MAX_CONTENT_LENGTH = 100 * 1024 * 1024  # uploads of a whole register (the command line suits larger ones)

    # Failed sign-ins: this many within the window lock an account out from that address, or an
    # address out altogether (the client's real address: see PROXY_FIX_X_FOR).
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    # Sign-in attempts of any outcome (Flask-Limiter): per account from every address, per address.
    LOGIN_RATE_PER_ACCOUNT = "10 per minute"
    LOGIN_RATE_PER_ADDRESS = "30 per minute"
    # Where Flask-Limiter counts: database:// (the app's own database: every worker and machine counts
    # together), memory:// (each worker alone) or redis://host:6379.
    RATELIMIT_STORAGE_URI = "database://"
    RATELIMIT_HEADERS_ENABLED = True
    # The second factor (TOTP) and password resets
    SECOND_FACTOR_MAX_FAILURES = 5  # wrong codes for one account within the window before code entry is refused
    SECOND_FACTOR_WINDOW_MINUTES = 15
    SECOND_FACTOR_RATE_PER_ADDRESS = "20 per minute"  # code entries of any outcome from one address
    TOTP_ISSUER = "isa"  # the name authenticator apps show next to the account
    PASSWORD_RESET_MINUTES = 30  # how long a reset link works (once)
    PASSWORD_RESET_RATE_PER_ADDRESS = "5 per 15 minutes"  # reset requests from one address
    ENCRYPTION_KEY = None  # a Fernet key for secrets at rest; derived from SECRET_KEY when unset
    OIDC_HTTP_TIMEOUT = 10  # seconds to wait for an identity provider's discovery, keys and token endpoints
    OUTBOX_MAX_ATTEMPTS = 5  # failed sends of a security e-mail before it is given up
    # Behind a proxy: how many proxies set X-Forwarded-For / -Proto / -Host in front of the app (0: none,
    # the address is the connection's). With the recommended HTTPS proxy in front, set X_FOR and X_PROTO to 1.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0

    ACCESSIBILITY_CONTACT = None  # the e-mail address the accessibility statement gives for problems and other formats
    AGREEMENTS_PER_PAGE = 25
    ORGANISATIONS_PER_PAGE = 50
    SERVER_NAME_FOR_LINKS = "http://127.0.0.1:5000"

    # Mail and reminders (SPEC §7)
    SMTP_HOST = None
    SMTP_PORT = 587
    SMTP_SECURITY = None  # none, starttls or ssl; chosen from the port when unset
    SMTP_USERNAME = None
    SMTP_PASSWORD = None
    MAIL_FROM = "isa@localhost"
    REMINDER_OFFSETS = "90,30,7"
    SMTP_TIMEOUT = 30  # seconds to wait for the mail server
    REMINDER_TIME = "07:00"  # when the daily sweep runs, Europe/London
    ESCALATION_DAYS = 30  # days overdue from which reminders also go to the lead organisation's DPO
    REMINDER_MAX_ATTEMPTS = 5  # failed sends before a reminder is marked failed on the dashboard
    REMINDER_LOCK_MINUTES = 30  # a sweep's lock lapses after this (renewed while it sends)
    SCHEDULER_IN_PROCESS = False  # run the scheduler inside the web process (make run sets it)

    # The scheduler's render queue and heartbeat (protocol documents are never rendered in a request)
    RENDER_POLL_SECONDS = 0.5  # how often an idle scheduler looks for queued renders (one indexed SELECT)
    RENDER_MAX_ATTEMPTS = 3  # failed renders before the job is shown as failed to officers
    RENDER_LEASE_SECONDS = 600  # a render claimed longer ago than this was lost with its process
    RENDER_RETRY_SECONDS = 30  # wait before retrying a failed render (doubling each time)
    RENDER_BATCH_SECONDS = 50  # one scheduler run stops taking new renders after this
    SWEEP_ON_START = True  # a scheduler that starts sweeps at once, so a restart after the daily time skips no day
    HEARTBEAT_SECONDS = 30  # how often a scheduler records that it is alive
    HEALTHZ_MAX_HEARTBEAT_AGE = 300  # /healthz answers 503 when no scheduler beat within this many seconds
    SCHEDULER_QUIET_WARNING_HOURS = 24  # the dashboard warns when no scheduler ran for this long
    REMINDER_ATTACH_OFFSETS = "30"  # reminders before the review (days) that attach the protocol; overdue ones always do
