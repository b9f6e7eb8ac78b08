def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_login_page_is_chinese_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in html


def test_pager_links_keep_every_filter_and_replace_the_page(app):
    from coordinator.paging import Page

    with app.test_request_context("/teams/?skill=a&skill=b&q=%E9%A6%96&page=3"):
        url = Page([], 3, 25, True).url(4)
    assert url == "/teams/?skill=a&skill=b&q=%E9%A6%96&page=4"


def test_home_shows_the_numbers_that_ask_for_action(client, auth, make):
    """Staff see what waits for dispatch and what is overdue in their community, as links."""
    import secrets
    from datetime import timedelta

    from coordinator.cases.models import Case
    from coordinator.extensions import db
    from coordinator.i18n import utcnow

    community = make.community("红联北村社区")
    other = make.community("师大北路社区")
    staff = make.user("staff", community_=community)
    team = make.team()
    worker = make.user("worker", team_=team)
    past = utcnow() - timedelta(hours=3)

    def case(where, status, due=None):
        db.session.add(
            Case(
                community_id=where.id,
                status=status,
                category="drain",
                tracking_token=secrets.token_hex(8),
                description="下水道堵了",
                channel="phone",
                tier="utilities",
                team_id=team.id if status != "received" else None,
                due_at=due,
            )
        )

    case(community, "received")
    case(community, "received")
    case(community, "in_progress", due=past)
    case(other, "received")  # another community's: not counted
    make.commit()

    auth.login(staff)
    html = client.get("/home").get_data(as_text=True)
    assert "红联北村社区" in html
    assert 'href="/cases?status=received"><span class="number">2</span>' in html
    assert 'href="/cases?status=overdue"><span class="number">1</span>' in html
    auth.logout()
    auth.login(worker)
    html = client.get("/home").get_data(as_text=True)
    assert team.name in html and 'href="/jobs"><span class="number">1</span>' in html
