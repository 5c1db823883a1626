"""Typed dependencies: routes ask for what they need by annotation."""

from typing import Annotated

from fastapi import Depends, Request

from api.services import Services
from bot.assistant import Assistant
from bot.gateway import Gateway
from core.casework import Casework
from core.db import Database
from core.event_desk import EventDesk
from core.membership import Membership
from core.settings import Settings


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_settings(request: Request) -> Settings:
    return get_services(request).settings


def get_database(request: Request) -> Database:
    return get_services(request).database


def get_assistant(request: Request) -> Assistant:
    return get_services(request).assistant


def get_gateway(request: Request) -> Gateway:
    return get_services(request).gateway


def get_casework(request: Request) -> Casework:
    return get_services(request).casework


def get_membership(request: Request) -> Membership:
    return get_services(request).membership


def get_event_desk(request: Request) -> EventDesk:
    return get_services(request).events


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
GatewayDep = Annotated[Gateway, Depends(get_gateway)]
MembershipDep = Annotated[Membership, Depends(get_membership)]
EventDeskDep = Annotated[EventDesk, Depends(get_event_desk)]
CaseworkDep = Annotated[Casework, Depends(get_casework)]
