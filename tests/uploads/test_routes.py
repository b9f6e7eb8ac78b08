import pytest

from coordinator.extensions import db
from coordinator.uploads import queries, services, viewers
from tests.uploads.images import jpeg_with_gps, upload


def fetch(client, url):
    """GET and close: a file response left open warns (and warnings are errors)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


@pytest.fixture
def registry(monkeypatch):
    """A clean viewer registry for the test; the real domains' entries come back after."""
    monkeypatch.setattr(viewers, "VIEWERS", {})
    monkeypatch.setattr(viewers, "TOKEN_VIEWERS", {})
    return viewers


@pytest.fixture
def photo(app):
    saved = services.save_photo(upload(jpeg_with_gps(size=(900, 600), orientation=1)), "case", 7)
    db.session.commit()
    return saved


@pytest.mark.parametrize("suffix", ["", "/thumb"])
def test_signed_in_viewer_allowed_sees_photo_privately_cached(
    client, auth, make, registry, photo, suffix
):
    staff = make.user("staff")
    make.commit()
    registry.register_viewer("case", lambda user, owner_id: owner_id == 7 and user.id == staff.id)
    auth.login(staff)
    response = fetch(client, f"/photos/{photo.id}{suffix}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.data[:2] == b"\xff\xd8"
    assert "private" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if suffix:
        assert len(response.data) < photo.bytes


@pytest.mark.parametrize("suffix", ["", "/thumb"])
def test_viewer_saying_no_is_404(client, auth, make, registry, photo, suffix):
    worker = make.user("worker")
    make.commit()
    registry.register_viewer("case", lambda user, owner_id: False)
    auth.login(worker)
    assert fetch(client, f"/photos/{photo.id}{suffix}").status_code == 404


def test_unknown_owner_type_is_404(client, auth, make, registry):
    other = services.save_photo(upload(jpeg_with_gps(size=(50, 50))), "nobody-knows", 1)
    admin = make.user("admin")
    make.commit()
    registry.register_viewer("case", lambda user, owner_id: True)
    auth.login(admin)
    assert fetch(client, f"/photos/{other.id}").status_code == 404


def test_missing_photo_is_404(client, auth, make, registry):
    admin = make.user("admin")
    make.commit()
    auth.login(admin)
    assert fetch(client, "/photos/999999").status_code == 404


def test_anonymous_without_token_is_404_even_when_viewer_would_say_yes(client, registry, photo):
    registry.register_viewer("case", lambda user, owner_id: True)
    assert fetch(client, f"/photos/{photo.id}").status_code == 404


def test_token_viewer_decides_for_link_tokens(client, registry, photo):
    seen = []

    def token_ok(token, owner_id):
        seen.append((token, owner_id))
        return token == "good-token" and owner_id == 7

    registry.register_token_viewer("case", token_ok)
    assert fetch(client, f"/photos/{photo.id}?t=good-token").status_code == 200
    assert fetch(client, f"/photos/{photo.id}/thumb?t=good-token").status_code == 200
    assert fetch(client, f"/photos/{photo.id}?t=bad-token").status_code == 404
    assert ("bad-token", 7) in seen


def test_token_is_not_checked_by_the_signed_in_viewer(client, auth, make, registry, photo):
    staff = make.user("staff")
    make.commit()
    registry.register_viewer("case", lambda user, owner_id: True)
    auth.login(staff)
    # A token with no token viewer for the owner type opens nothing, signed in or not.
    assert fetch(client, f"/photos/{photo.id}?t=anything").status_code == 404


def test_photo_url_helper_carries_the_token(app, photo):
    with app.test_request_context():
        assert queries.photo_url(photo) == f"/photos/{photo.id}"
        assert (
            queries.photo_url(photo, thumb=True, token="abc") == f"/photos/{photo.id}/thumb?t=abc"
        )
