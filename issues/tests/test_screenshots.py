import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile

from issues import services
from issues.models import Issue, Screenshot
from issues.screenshots import clean_screenshot
from projects.permissions import Role

from .conftest import image_file


def upload(name, content, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def huge_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")  # ~50 KB on disk, 400 megapixels decoded
    return buffer.getvalue()


REFUSED = [
    (
        "drawing.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "only PNG, JPEG and WEBP",
    ),
    ("page.png", b"<!doctype html><html><script>alert(1)</script></html>", "only PNG, JPEG and WEBP"),
    ("polyglot.png", b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;<script>alert(1)</script>", "only PNG, JPEG and WEBP"),
    ("empty.png", b"", "empty"),
]


@pytest.mark.parametrize("name, content, reason", REFUSED, ids=[r[0] for r in REFUSED])
def test_files_that_are_not_png_jpeg_or_webp_are_refused(name, content, reason):
    with pytest.raises(services.ValidationError, match=reason):
        clean_screenshot(upload(name, content))


def test_a_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(services.ValidationError, match="25 megapixels"):
        clean_screenshot(upload("bomb.png", huge_png()))


def test_a_file_over_10_mb_is_refused():
    big = upload("big.png", b"\x89PNG" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(services.ValidationError, match="10 MB"):
        clean_screenshot(big)


def test_exif_and_gps_are_stripped_and_the_image_re_encoded():
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # Make
    exif[0x8825] = {2: (22.0, 32.0, 0.0)}  # GPSInfo: latitude
    photo = image_file("photo.jpg", image_format="JPEG", exif=exif.tobytes())
    assert b"Phone maker" in photo.read()
    photo.seek(0)
    clean = clean_screenshot(photo)
    assert clean.content_type == "image/jpeg"
    assert b"Phone maker" not in clean.content and b"Exif" not in clean.content
    assert Image.open(io.BytesIO(clean.content)).getexif() == {}
    assert Image.open(io.BytesIO(clean.thumbnail)).format == "WEBP"


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b"<rdf:Description>Lat 22.53 Lon 114.05</rdf:Description></rdf:RDF></x:xmpmeta>"
)


@pytest.mark.parametrize("image_format", ["JPEG", "WEBP", "PNG"])
def test_comments_exif_and_xmp_do_not_survive_re_encoding(image_format):
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    options = {"exif": exif.tobytes(), "xmp": XMP}
    if image_format == "JPEG":
        options["comment"] = b"taken at the customer's office"
    photo = image_file("photo", image_format=image_format, **options)
    clean = clean_screenshot(photo)
    for secret in (b"customer's office", b"Phone maker", b"Lat 22.53", b"xmpmeta"):
        assert secret not in clean.content
        assert secret not in clean.thumbnail
    reread = Image.open(io.BytesIO(clean.content))
    assert "comment" not in reread.info and "xmp" not in reread.info and reread.getexif() == {}


def noisy(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((640, 480), 60).convert("RGB").save(buffer, image_format)
    return buffer.getvalue()


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_a_truncated_image_is_refused_even_after_a_pdf_allowed_truncated_images(monkeypatch, image_format):
    # WeasyPrint sets this process-wide once a PDF has been rendered.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    truncated = noisy(image_format)[:-4000]
    with pytest.raises(services.ValidationError, match="damaged"):
        clean_screenshot(upload(f"cut.{image_format.lower()}", truncated))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # the PDF renderer's setting is left as it was


def test_an_image_over_25_megapixels_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (6_000, 4_500)).save(buffer, "PNG")  # 27 megapixels, a few KB on disk
    with pytest.raises(services.ValidationError, match="25 megapixels"):
        clean_screenshot(upload("wide.png", buffer.getvalue()))


def test_an_image_of_24_megapixels_is_accepted():
    buffer = io.BytesIO()
    Image.new("1", (6_000, 4_000)).save(buffer, "PNG")  # a 24-megapixel camera's photo size
    assert clean_screenshot(upload("photo.png", buffer.getvalue())).width == 6_000


def test_the_eleventh_screenshot_is_refused_and_nothing_is_stored(team, file_issue):
    with pytest.raises(services.ValidationError, match="At most 10"):
        file_issue(screenshots=[image_file(f"{n}.png") for n in range(11)])
    assert Issue.objects.count() == 0 and Screenshot.objects.count() == 0


def test_a_refused_file_is_named_and_the_typed_text_kept(client, team):
    client.force_login(team.user(Role.KEY_USER))
    response = client.post(
        reverse("issues:report", kwargs={"code": "SCRM"}),
        {
            "title": "合同审批卡住",
            "description": "提交后一直显示审批中",
            "severity": "high",
            "screenshots": [image_file("ok.png"), upload("evil.png", b"<html></html>")],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "evil.png" in page and "only PNG, JPEG and WEBP" in page
    assert "合同审批卡住" in page and "提交后一直显示审批中" in page
    assert Issue.objects.count() == 0


def test_an_oversized_screenshot_gets_a_form_error_not_a_server_error(client, team):
    client.force_login(team.user(Role.KEY_USER))
    buffer = io.BytesIO()
    Image.new("1", (6_000, 4_500)).save(buffer, "PNG")
    response = client.post(
        reverse("issues:report", kwargs={"code": "SCRM"}),
        {
            "title": "合同审批卡住",
            "description": "提交后一直显示审批中",
            "severity": "high",
            "screenshots": [upload("wide.png", buffer.getvalue())],
        },
    )
    assert response.status_code == 400
    assert "wide.png" in response.content.decode() and "25 megapixels" in response.content.decode()
    assert Issue.objects.count() == 0


def test_screenshots_are_stored_under_generated_names(team, file_issue):
    issue = file_issue(screenshots=[image_file("../../etc/passwd.png")])
    shot = issue.screenshots.get()
    assert "passwd" not in shot.image.name and ".." not in shot.image.name
    assert shot.image.name.startswith(f"screenshots/{team.project.pk}/")
    assert shot.original_name == "passwd.png"


def test_screenshots_are_served_only_to_members(client, team, file_issue):
    issue = file_issue(screenshots=[image_file()])
    shot = issue.screenshots.get()
    full = reverse("issues:screenshot", kwargs={"code": "SCRM", "number": issue.number, "pk": shot.pk})
    thumb = reverse("issues:thumbnail", kwargs={"code": "SCRM", "number": issue.number, "pk": shot.pk})
    client.force_login(team.user(Role.SPONSOR))
    response = client.get(full)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client.get(thumb)["Content-Type"] == "image/webp"
    client.force_login(team.outsider)
    assert client.get(full).status_code == 404
    client.logout()
    assert client.get(full).status_code == 302
    assert client.get(f"/media/{shot.image.name}").status_code in {302, 404}, "no public media URL"
