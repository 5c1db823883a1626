"""Application factory: one place wires settings, services and routes into the app."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import console
from api.routes import (
    ask,
    console_admin,
    console_auth,
    console_dashboard,
    console_events,
    console_kb,
    console_kb_items,
    console_kb_statutes,
    console_kb_loop,
    console_members,
    console_tickets,
    console_users,
    health,
    kb_api,
    laws,
    telegram,
    tickets_api,
    webchat,
    wechat,
)
from api.security import LoginRequired
from api.services import build_services
from core.logs import configure
from core.retention import RetentionJob
from core.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await run_in_threadpool(build_services, settings)
        app.state.services = services
        services.reminders.start()
        retention = RetentionJob.from_settings(settings, services.database)
        retention.start()
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(telegram.lifespan(app))
            yield
        retention.stop()
        services.reminders.stop()
        services.assistant.stop()
        services.database.dispose()

    app = FastAPI(title="Union assistant", version="0.1.0", lifespan=lifespan)
    routers = (health, ask, wechat, telegram, webchat, laws, console_auth, console_tickets, console_dashboard,
               console_members, console_events, console_admin, console_kb, console_kb_statutes, console_kb_items,
               console_kb_loop, console_users, tickets_api, kb_api)
    for module in routers:
        app.include_router(module.router)
    app.add_exception_handler(LoginRequired, console_auth.redirect_to_login)
    console.install(app)
    if settings.trusted_proxies:  # client address and scheme as the proxy saw them; no one else is believed
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
