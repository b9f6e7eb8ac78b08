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
