"""Nothing is undone by one click: a destructive POST first answers with a confirmation page that says what will
happen and carries the same fields with `confirmed=1`. It works without JavaScript; with JavaScript the form's
`data-confirm` text opens a <dialog> on top of the page instead, and the second request is skipped."""

from django.shortcuts import render

SKIP = {"csrfmiddlewaretoken", "confirmed"}


def confirmed(request) -> bool:
    return request.POST.get("confirmed") == "1"


def confirm_page(request, *, title: str, consequences: list[str], yes: str, back_url: str, back_label: str,
                 danger: bool = True):
    """The confirmation page for the POST in `request`: its fields again, and the button that sends them."""
    fields = [(name, value) for name in request.POST if name not in SKIP for value in request.POST.getlist(name)]
    return render(request, "includes/confirm.html", {
        "title": title, "consequences": consequences, "yes": yes, "back_url": back_url, "back_label": back_label,
        "danger": danger, "fields": fields, "action_url": request.get_full_path(),
    })
