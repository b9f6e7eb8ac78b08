import pytest

from coordinator.auth import services
from coordinator.auth.models import User
from coordinator.extensions import db
from coordinator.rules import Refused


def test_authenticate_normalises_the_number(make):
    user = make.user("volunteer", phone_="13800000007")
    make.commit()
    assert services.authenticate("+86 138-0000-0007", make.PASSWORD).id == user.id
    assert services.authenticate("13800000007", "nope") is None
    assert services.authenticate("13900000000", make.PASSWORD) is None


def test_password_is_hashed(make):
    user = make.user("volunteer", password="plain-text-pw")
    make.commit()
    assert "plain-text-pw" not in user.password_hash
    assert user.check_password("plain-text-pw")


def test_team_roles_need_a_team_and_nothing_half_saved(make):
    admin = make.user("admin")
    make.commit()
    with pytest.raises(Refused) as refused:
        services.save_user(
            admin,
            {"name": "赵师傅", "phone": "13800000006", "role": "worker", "password": "longenough"},
        )
    assert refused.value.field == "team_id"
    db.session.rollback()
    assert db.session.query(User).filter_by(phone="13800000006").count() == 0


def test_staff_grants_only_community_roles_in_their_community(make):
    staff = make.user("staff")
    other = make.community()
    make.commit()
    assert "admin" not in services.grantable_roles(staff)
    user = services.save_user(
        staff,
        {
            "name": "刘芳",
            "phone": "13800000007",
            "role": "volunteer",
            "community_id": other.id,
            "password": "longenough",
        },
    )
    assert user.community_id == staff.community_id  # not the other community
