"""A tiny app with one slow endpoint, served by uvicorn in the graceful-shutdown test."""

import time

from fastapi import FastAPI

from apps.common.observability import health_router, install_request_middleware

app = FastAPI()
install_request_middleware(app, "slow")
app.include_router(health_router(lambda: {"up": True}))


@app.get("/slow")
def slow(seconds: float = 2.0) -> dict[str, float]:
    """Answer after ``seconds``: long enough to be in flight when SIGTERM arrives."""
    time.sleep(seconds)
    return {"slept": seconds}
