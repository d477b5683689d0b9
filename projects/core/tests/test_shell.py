"""The UI shell: both languages, error pages, Content-Security-Policy."""

import re

from django.urls import reverse

from projects.permissions import Role


def test_a_page_in_chinese_shows_chinese(client, team):
    user = team.user(Role.PM)
    user.language = "zh-hans"
    user.save()
    client.force_login(user)
    page = client.get(reverse("projects:members", kwargs={"code": "SCRM"})).content.decode()
    assert '<html lang="zh-hans">' in page
    for text in ("成员", "邀请成员", "项目经理", "关键用户", "退出登录"):
        assert text in page


def test_anonymous_visitor_gets_the_language_of_their_browser(client, db):
    page = client.get("/accounts/login/", headers={"accept-language": "zh-CN,zh;q=0.9"}).content.decode()
    assert "登录 crmgov" in page


def test_404_page_is_translated(client, team):
    user = team.user(Role.KEY_USER)
    user.language = "zh-hans"
    user.save()
    client.force_login(user)
    response = client.get("/p/NOPE/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_403_page_explains_in_the_users_language(client, team):
    user = team.user(Role.KEY_USER)
    user.language = "zh-hans"
    user.save()
    client.force_login(user)
    response = client.get(reverse("projects:edit", kwargs={"code": "SCRM"}))
    assert response.status_code == 403
    assert "请联系项目经理" in response.content.decode()


def test_every_script_carries_the_nonce_of_the_content_security_policy(client, team):
    client.force_login(team.user(Role.PM))
    response = client.get(reverse("projects:members", kwargs={"code": "SCRM"}))
    policy = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    nonce = re.search(r"script-src 'nonce-([^']+)'", policy).group(1)
    page = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts, "the page loads its scripts"
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert not re.search(r"\son[a-z]+=", page), "no inline event handlers"
    assert "<style" not in page and ' style="' not in page


def test_static_assets_are_served_locally(client, team):
    client.force_login(team.user(Role.PM))
    page = client.get(reverse("projects:my_projects")).content.decode()
    for asset in ("vendor/bootstrap/bootstrap.min.css", "vendor/htmx/htmx.min.js", "vendor/bootstrap-icons"):
        assert f"/static/{asset}" in page
    # Nothing is loaded from another host (a bare "cdn" test failed on a random CSRF token).
    assert not re.search(r'(src|href)="(https?:)?//', page)


def _nav(page: str) -> str:
    return page.split('<nav class="project-nav ')[1].split("</nav>")[0]


def test_the_project_navigation_shows_the_members_links_and_marks_the_current_page(client, team):
    client.force_login(team.user(Role.KEY_USER))
    nav = _nav(client.get(reverse("issues:list", kwargs={"code": "SCRM"})).content.decode())
    assert '<a class="dropdown-item active" href="/p/SCRM/issues/" aria-current="page">' in nav
    assert nav.count('aria-current="page"') == 1
    assert 'href="/p/SCRM/report/"' in nav  # a key user files reports
    assert 'href="/p/SCRM/budget/"' not in nav and 'href="/p/SCRM/settings/"' not in nav  # not theirs
    client.force_login(team.user(Role.PM))
    nav = _nav(client.get(reverse("projects:budget", kwargs={"code": "SCRM"})).content.decode())
    assert '<a class="dropdown-item active" href="/p/SCRM/budget/" aria-current="page">' in nav
    assert '<i class="bi bi-cash-coin" aria-hidden="true"></i> Budget</a>' in nav


def test_the_project_navigation_follows_the_readers_language(client, team):
    user = team.user(Role.PM)
    client.force_login(user)
    url = reverse("issues:list", kwargs={"code": "SCRM"})
    assert "> Issues</a>" in _nav(client.get(url).content.decode())
    user.language = "zh-hans"
    user.save()
    nav = _nav(client.get(url).content.decode())
    assert "> Issues</a>" not in nav and "> 问题</a>" in nav
