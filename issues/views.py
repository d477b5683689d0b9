import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projects.core.forms import add_errors
from projects.core.models import Membership, Project, User
from projects.core.paging import paginate
from projects.core.work import forget_count
from projects.permissions import Capability, ProjectReadOnly, get_membership_for
from projects.search.text import matching
from projects.workflow import step_forms, take_step

from . import exports, forms, report_links, selectors, services
from .extensions import links_for
from .filters import SORTS, IssueFilter
from .models import Article, Issue, Module, ReportLink, Screenshot, status_badge
from .transitions import TRANSITIONS

# --- The daily report -------------------------------------------------------


def _report_day(request, project) -> datetime.date:
    """The day whose period is being reported: today, or a missed earlier day (filed late)."""
    today = project.local_today()
    raw = request.POST.get("day") or request.GET.get("day")
    if not raw:
        return today
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        raise Http404 from None
    if day > today or day < today - datetime.timedelta(days=400):
        raise Http404
    return day


def report(request, code):
    membership = get_membership_for(request, code, Capability.REPORTS_FILE)
    project = membership.project
    day = _report_day(request, project)
    form = forms.IssueReportForm(project=project)
    if request.method == "POST":
        form = forms.IssueReportForm(request.POST, request.FILES, project=project)
        if form.is_valid():
            try:
                issue = services.report_add_issue(
                    project=project, reporter=request.user, day=day, draft=services.IssueDraft(**form.cleaned_data)
                )
            except ValidationError as error:
                closed = getattr(error, "code", None) == "report_closed"
                form.add_error(None if closed else "screenshots", error)
            else:
                messages.success(request, _("Issue %(ref)s filed. Thank you!") % {"ref": issue.reference})
                return redirect(_report_url(project, day))
    return _render_report(request, membership, day, form)


def _report_url(project, day) -> str:
    url = reverse("issues:report", kwargs={"code": project.code})
    return url if day == project.local_today() else f"{url}?day={day.isoformat()}"


def _render_report(request, membership, day, form):
    page = selectors.report_page(membership.project, request.user, day, joined=membership.active_from)
    context = {"project": membership.project, "membership": membership, "page": page, "form": form, "day": day}
    return render(request, "issues/report.html", context, status=400 if form.errors else 200)


@require_POST
def report_no_problems(request, code):
    membership = get_membership_for(request, code, Capability.REPORTS_FILE)
    project = membership.project
    day = _report_day(request, project)
    try:
        services.report_no_problems(project=project, reporter=request.user, day=day)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Report filed: no problems. Thank you!"))
    return redirect(_report_url(project, day))


@login_not_required
def report_link(request, code, token):
    """The reminder's one-tap link (issue 19), signed in or not: a GET shows the "no problems"
    button and files nothing (a mail scanner opens links); the button's POST files that one report,
    once. It signs nobody in. Anything but a genuine link of a current member → 404."""
    facts = report_links.report_link_read(token)
    membership = None
    if facts is not None:
        membership = (
            Membership.objects.active()
            .filter(user_id=facts.user_id, project_id=facts.project_id, project__code=code)
            .exclude(project__status=Project.Status.CLOSED)
            .select_related("project", "user")
            .first()
        )
    if membership is None or not membership.can(Capability.REPORTS_FILE):
        raise Http404
    project, person = membership.project, membership.user
    expired = (
        project.local_today() > facts.period_end or services.issue_settings_for(project).report_cadence != facts.cadence
    )
    used = ReportLink.objects.filter(user=person, project=project, period_start=facts.period_start).exists()
    status, error, filed = 200, "", False
    if request.method == "POST":
        if expired or used:
            status = 410
        else:
            try:
                services.report_link_use(project=project, reporter=person, period_start=facts.period_start)
            except ValidationError as refused:
                status, error = 409, " ".join(refused.messages)
            else:
                filed, used = True, True
                forget_count(person.pk)
    context = {
        "link_project": project,
        "person": person,
        "facts": facts,
        "expired": expired,
        "used": used,
        "filed": filed,
        "error": error,
    }
    # In the person's language: whoever opens it is not signed in, or may be someone else.
    with translation.override(person.language):
        return render(request, "issues/report_link.html", context, status=status)


@require_GET
def suggest(request, code):
    """htmx: articles and open issues like the title being typed."""
    membership = get_membership_for(request, code, Capability.PROJECT_VIEW)
    found = selectors.suggestions(membership, request.GET.get("title", ""))
    return render(request, "issues/report.html#suggestions", {"project": membership.project, "found": found})


# --- Issues -----------------------------------------------------------------


def _issue_list_filter(request, membership):
    project = membership.project
    people = User.objects.filter(memberships__project=project).distinct().order_by("full_name")
    queryset = (
        Issue.objects.visible_to(membership)
        .select_related("project", "module", "reporter", "consultant")
        .order_by(*SORTS["newest"])
    )
    return IssueFilter(request.GET or None, queryset=queryset, project=project, people=people)


# The columns a list row shows, read as named tuples: the rest of each issue (descriptions, people's
# other fields) stays in the database, and no model instance is built for a row.
LIST_COLUMNS = ("number", "title", "severity", "status", "created_at", "module__name", "reporter__full_name")

# A searched list counts its matches up to this: counting reads every match (docs/performance.md).
SEARCH_COUNT_CAP = 1_000


def issue_list(request, code):
    membership = get_membership_for(request, code, Capability.PROJECT_VIEW)
    issue_filter = _issue_list_filter(request, membership)
    cap = SEARCH_COUNT_CAP if request.GET.get("q", "").strip() else None
    page = paginate(request, issue_filter.qs.select_related(None), cap=cap, columns=LIST_COLUMNS)
    context = {
        "project": membership.project,
        "membership": membership,
        "filter": issue_filter,
        "page": page,
        "rows": _rows(membership.project, page.object_list),
        "more_filters_open": issue_filter.more_filters_open(request.GET),
        "filters_in_use": issue_filter.in_use(request.GET),
    }
    return render(request, "issues/issue_list.html", context)


def _rows(project, issues: list) -> SafeString:
    """The table's rows, from a Jinja2 template: in the Django template language they cost more
    than the rest of the page together (docs/performance.md). Labels worded once per page."""
    context = {
        "issues": issues,
        "code": project.code,
        "issues_url": reverse("issues:list", kwargs={"code": project.code}),
        "severities": {value: str(label) for value, label in Issue.Severity.choices},
        "statuses": {value: str(label) for value, label in Issue.Status.choices},
        "status_badges": {status: status_badge(status) for status in Issue.Status.values},
    }
    # Jinja2's output is a plain string; the template autoescapes every value.
    return mark_safe(render_to_string("issues/issue_rows.html", context, using="jinja2"))  # noqa: S308


@require_GET
def issue_list_more_filters(request, code):
    """The selects behind "More filters", for the list's current query (htmx, on first opening)."""
    membership = get_membership_for(request, code, Capability.PROJECT_VIEW)
    context = {"project": membership.project, "filter": _issue_list_filter(request, membership)}
    return render(request, "issues/issue_list.html#more_filters", context)


def issue_export(request, code, fmt):
    membership = get_membership_for(request, code, Capability.PROJECT_VIEW)
    issues = _issue_list_filter(request, membership).qs
    if fmt == "xlsx":
        return exports.issues_xlsx(membership.project, issues)
    return exports.issues_csv(membership.project, issues)


def _get_issue(request, code, number, capability=Capability.PROJECT_VIEW):
    membership = get_membership_for(request, code, capability)
    issue = get_object_or_404(selectors.issue_detail_queryset(membership), number=number)
    issue.project = membership.project
    if issue.duplicate_of_id is not None:  # a duplicate is of an issue of the same project (by rule)
        # Only what the reader may see: a consultant gets the original's reference, not its title.
        original_id = issue.duplicate_of_id
        original = Issue.objects.visible_to(membership).only("number", "title", "project_id")
        issue.duplicate_of = original.filter(pk=original_id).first()
        if issue.duplicate_of is None:
            issue.hidden_original = Issue.objects.only("number", "project_id").get(pk=original_id)
            issue.hidden_original.project = membership.project
        else:
            issue.duplicate_of.project = membership.project
    return membership, issue


def issue_detail(request, code, number):
    membership, issue = _get_issue(request, code, number)
    return _render_issue(request, membership, issue)


def _render_issue(request, membership, issue, failed_action=None, failed_form=None, status=200):
    action_forms = step_forms(TRANSITIONS, membership, issue, failed_action, failed_form)
    context = {
        "project": membership.project,
        "membership": membership,
        "issue": issue,
        "action_forms": action_forms,
        "actions": TRANSITIONS.actions,
        "failed_action": failed_action,
        "can_edit": membership.can(Capability.ISSUES_TRIAGE),
        "can_add_screenshots": TRANSITIONS["screenshots"].allowed(membership, issue),
        "links": links_for(issue, membership),
        "can_comment": membership.can(Capability.ISSUES_COMMENT),
        "can_publish": membership.can(Capability.KB_PUBLISH)
        and issue.status in (Issue.Status.RESOLVED, Issue.Status.CLOSED)
        and not hasattr(issue, "article"),
    }
    return render(request, "issues/issue_detail.html", context, status=status)


@require_POST
def issue_action(request, code, number, action):
    membership, issue = _get_issue(request, code, number)
    return take_step(
        request,
        workflow=TRANSITIONS,
        services=services,
        name=action,
        membership=membership,
        obj=issue,
        rerender=lambda step, form: _render_issue(request, membership, issue, step, form, status=400),
    )


@require_POST
def issue_comment(request, code, number):
    _membership, issue = _get_issue(request, code, number, Capability.ISSUES_COMMENT)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        services.issue_comment(issue=issue, by=request.user, text=form.cleaned_data["text"])
        return redirect(f"{issue.get_absolute_url()}#history")
    messages.error(request, _("The comment is empty."))
    return redirect(issue)


def issue_edit(request, code, number):
    membership, issue = _get_issue(request, code, number, Capability.ISSUES_TRIAGE)
    form = forms.IssueEditForm(request.POST or None, instance=Issue.objects.get(pk=issue.pk))
    if request.method == "POST" and form.is_valid():
        services.issue_update(issue=issue, by=request.user, **form.cleaned_data)
        messages.success(request, _("%(ref)s saved.") % {"ref": issue.reference})
        return redirect(issue)
    context = {"project": membership.project, "membership": membership, "issue": issue, "form": form}
    return render(request, "issues/issue_edit.html", context, status=400 if form.errors else 200)


@require_POST
def issue_screenshots_add(request, code, number):
    membership, issue = _get_issue(request, code, number)
    if membership.read_only:
        raise ProjectReadOnly(_("This project is closed: it can be read but no longer changed."))
    if not TRANSITIONS["screenshots"].allowed(membership, issue):
        raise PermissionDenied
    try:
        services.issue_add_screenshots(issue=issue, files=request.FILES.getlist("screenshots"), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(issue)


@require_GET
def screenshot(request, code, number, pk, variant):
    _membership, issue = _get_issue(request, code, number)
    shot = get_object_or_404(Screenshot, pk=pk, issue=issue)
    stored = shot.thumbnail if variant == "thumb" else shot.image
    response = FileResponse(stored.open("rb"), content_type="image/webp" if variant == "thumb" else shot.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Disposition"] = "inline"
    return response


# --- Knowledge base ---------------------------------------------------------


def article_list(request, code):
    membership = get_membership_for(request, code, Capability.PROJECT_VIEW)
    articles = Article.objects.filter(project=membership.project).select_related("module", "project")
    query = request.GET.get("q", "").strip()
    articles = matching(articles, query, membership.project.pk)
    page = paginate(request, articles.order_by("-published_at", "-id"), per_page=30)
    context = {"project": membership.project, "membership": membership, "page": page, "query": query}
    return render(request, "issues/article_list.html", context)


def article_detail(request, code, pk):
    membership = get_membership_for(request, code, Capability.PROJECT_VIEW)
    article = get_object_or_404(
        Article.objects.select_related("module", "issue", "issue__project", "published_by"),
        pk=pk,
        project=membership.project,
    )
    context = {"project": membership.project, "membership": membership, "article": article}
    return render(request, "issues/article_detail.html", context)


def article_publish(request, code, number):
    membership, issue = _get_issue(request, code, number, Capability.KB_PUBLISH)
    initial = {
        "title": issue.title,
        "symptom": issue.description,
        "cause": issue.cause,
        "solution": issue.fix,
        "module": issue.module_id,
    }
    form = forms.ArticleForm(request.POST or None, initial=initial, project=membership.project)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_publish(
                project=membership.project, by=request.user, issue=issue, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Article published."))
            return redirect(article)
    context = {"project": membership.project, "membership": membership, "issue": issue, "form": form}
    return render(request, "issues/article_form.html", context, status=400 if form.errors else 200)


# --- Recognition ------------------------------------------------------------


def leaderboard(request, code):
    membership = get_membership_for(request, code, Capability.PROJECT_VIEW)
    today = membership.project.local_today()
    try:
        month = datetime.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = today.replace(day=1)
    rows = selectors.leaderboard(membership.project, month)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    context = {
        "project": membership.project,
        "membership": membership,
        "rows": rows,
        "month": month,
        "previous": previous,
        "following": following if following <= today else None,
    }
    return render(request, "issues/leaderboard.html", context)


# --- Settings ---------------------------------------------------------------


def issue_settings(request, code):
    membership = get_membership_for(request, code, Capability.ISSUES_CONFIGURE)
    project = membership.project
    current = services.issue_settings_for(project)
    form = forms.IssueSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.issue_settings_update(project=project, **form.cleaned_data)
        messages.success(request, _("Reporting settings saved."))
        return redirect("issues:settings", code=code)
    module_form = forms.ModuleForm(prefix="module")
    return _render_settings(request, membership, form, module_form)


def _render_settings(request, membership, form, module_form, status=200):
    modules = Module.objects.filter(project=membership.project)
    context = {
        "project": membership.project,
        "membership": membership,
        "form": form,
        "module_form": module_form,
        "modules": modules,
    }
    return render(request, "issues/settings.html", context, status=status)


@require_POST
def module_save(request, code, pk=None):
    membership = get_membership_for(request, code, Capability.ISSUES_CONFIGURE)
    project = membership.project
    module = get_object_or_404(Module, pk=pk, project=project) if pk else Module(project=project)
    module_form = forms.ModuleForm(request.POST, instance=module, prefix="module")
    if module_form.is_valid():
        try:
            services.module_save(project=project, module=module if pk else None, **module_form.cleaned_data)
        except ValidationError as error:
            add_errors(module_form, error)
        else:
            messages.success(request, _("Module saved."))
            return redirect("issues:settings", code=code)
    form = forms.IssueSettingsForm(instance=services.issue_settings_for(project))
    return _render_settings(request, membership, form, module_form, status=400)
