"""Volunteer services without HTTP: joining as a volunteer; assert on the database."""

import pytest
from sqlalchemy import select

from coordinator.events.models import (
    VolunteerProfile,
)
from coordinator.extensions import db
from coordinator.rules import Refused
from coordinator.volunteers import services as volunteers_services


def test_register_volunteer_keeps_numbers_private(app, en, make):
    community = make.community()
    make.commit()
    user = volunteers_services.register_volunteer(
        {
            "name": "李雷",
            "phone": "138 0013 9999",
            "password": "long-enough-1",
            "community_id": community.id,
            "id_type": "resident_id",
            "id_number": "11010819900101123x",
            "volunteer_number": "BJ-001",
        }
    )
    assert user.role == "volunteer" and user.phone == "13800139999"
    profile = db.session.scalar(select(VolunteerProfile).filter_by(user_id=user.id))
    assert profile.id_number == "11010819900101123X"
    with pytest.raises(Refused) as refused:
        volunteers_services.register_volunteer(
            {"name": "x", "phone": "13800139999", "password": "p" * 10}
        )
    assert refused.value.field == "phone"
