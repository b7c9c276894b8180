"""Pages that fail show a Chinese page in the site's shell, not Django's English default."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_an_unknown_address_is_a_chinese_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "/no-such-page/" in body and 'lang="zh-Hans"' in body


@pytest.mark.django_db
def test_a_form_posted_without_its_csrf_token_is_an_expired_page_not_a_silent_failure():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_the_500_page_renders_without_a_request():
    from django.template.loader import render_to_string

    assert "系统出错" in render_to_string("500.html")
