import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from issues import services
from issues.models import Module
from projects.permissions import Role


def image_file(name="screen.png", size=(64, 48), image_format="PNG", color=(200, 30, 30), **save_options):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, image_format, **save_options)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}.get(image_format, "image/png")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


@pytest.fixture
def module(team):
    return Module.objects.create(project=team.project, name="客户管理")


@pytest.fixture
def file_issue(team, module):
    """File an issue as the key user (or `reporter`) through the daily report service."""

    def file(title="客户列表导出失败", reporter=None, severity="high", screenshots=(), **fields):
        reporter = reporter or team.user(Role.KEY_USER)
        draft = services.IssueDraft(
            title=title,
            description=fields.pop("description", "点击导出按钮后页面报错 500"),
            severity=severity,
            module=fields.pop("module", module),
            screenshots=list(screenshots),
            **fields,
        )
        return services.report_add_issue(
            project=team.project, reporter=reporter, day=team.project.local_today(), draft=draft
        )

    return file
