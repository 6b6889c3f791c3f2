-- wrk: POST a fixed form body to /oauth/token with client_secret_basic.
-- env: AUTH (the whole Authorization header value), BODY (the form body).
wrk.method = "POST"
wrk.body = os.getenv("BODY") or "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("AUTH")
