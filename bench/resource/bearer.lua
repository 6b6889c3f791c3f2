-- wrk: every request with the same "Authorization: Bearer $TOKEN".
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("TOKEN"), "set TOKEN")
