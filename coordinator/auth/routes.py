from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user, login_user, logout_user

from coordinator import access
from coordinator.access import OFFICE, SIGNED_IN, allow, public
from coordinator.auth import password_links, queries, services
from coordinator.auth.forms import LoginForm, PasswordLinkForm, SetPasswordForm, UserForm
from coordinator.core.security import local_target
from coordinator.extensions import limiter
from coordinator.filters import chosen, options
from coordinator.i18n import gettext as _
from coordinator.paging import page_number
from coordinator.places.queries import community_choices
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal
from coordinator.teams.queries import team_choices


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.phone.data, form.password.data)
        if user:
            login_user(user, remember=form.remember.data)
            return redirect(local_target(request.args.get("next"), url_for("core.home")))
        form.password.errors.append(_("Wrong mobile number or password."))
    status = 422 if request.method == "POST" else 200
    return render("auth/login.html", status=status, form=form)


def _password_link_limit() -> str:
    return current_app.config["PASSWORD_LINK_RATE_LIMIT"]


@public
@limiter.limit(_password_link_limit, methods=["POST"])
def password_link():
    """No password yet (a walk-in registered at an event) or forgotten: a link by text."""
    form = PasswordLinkForm()
    if form.validate_on_submit():
        services.ask_for_password_link(form.phone.data)
        return render("auth/password_link.html", form=form, sent=True)
    status = 422 if request.method == "POST" else 200
    return render("auth/password_link.html", status=status, form=form, sent=False)


@public
def set_password(token: str):
    """The texted link: a new password, then signed in (every earlier session ends)."""
    found = password_links.read_link(token)
    if found is None:
        return render("auth/password_set.html", status=404, form=None, user=None)
    user, bound = found
    form = SetPasswordForm()

    def page(status, form):
        return render("auth/password_set.html", status=status, form=form, user=user)

    if form.validate_on_submit():
        try:
            services.set_password_by_link(user, bound, form.password.data)
        except Refused as refused:
            return show_refusal(refused, form, page)
        login_user(user)
        flash(_("Your password is set. You are signed in."), "success")
        return redirect(url_for("core.home"))
    return page(422 if form.is_submitted() else 200, form)


@allow(SIGNED_IN)
def logout():
    """Sign out on every device: the issue's rule for a shared or lost phone."""
    services.end_sessions(current_user.id)
    logout_user()
    flash(_("Signed out on every device."), "success")
    return redirect(url_for("auth.login"))


def _user_form(form: UserForm) -> UserForm:
    form.role.choices = [(r, access.ROLES[r]) for r in services.grantable_roles(current_user)]
    form.community_id.choices = [(0, _("— none —"))] + community_choices(current_user)
    form.team_id.choices = [(0, _("— none —"))] + team_choices(current_user)
    return form


@allow(OFFICE)
def users():
    """The people list; its filters come from the query string."""
    roles = [("", _("All roles")), *access.ROLES.items()]
    q, role = request.args.get("q") or "", chosen(roles, request.args.get("role"))
    page = queries.people_page(current_user, q, role, page_number(), current_app.config["PER_PAGE"])
    return render("auth/users.html", q=q, role_filter=options(roles, role), page=page)


@allow(OFFICE)
def new_user():
    return _edit_user(None)


@allow(OFFICE)
def edit_user(user_id: int):
    user = queries.get_user(current_user, user_id)
    access.require(user is not None)
    return _edit_user(user)


def _edit_user(user):
    def page(status, form):
        return render("auth/user_form.html", status=status, form=form, user=user)

    form = _user_form(UserForm(obj=user))
    if form.validate_on_submit():
        try:
            saved = services.save_user(current_user, form.data, user)
        except Refused as refused:
            return show_refusal(refused, form, page)
        if saved.id == current_user.id:
            # Changing one's own password ends one's other sessions, not this one.
            login_user(saved)
        flash(_("Saved %(name)s.", name=saved.name), "success")
        return redirect(url_for("auth.users"))
    return page(422 if form.is_submitted() else 200, form)
