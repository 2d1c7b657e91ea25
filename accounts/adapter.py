from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from accounts.mail import Payload, payload_queue


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Render now (the context belongs to this request), deliver from the task queue.
        msg = self.render_mail(template_prefix, email, context)
        html = ""
        body = msg.body
        if getattr(msg, "content_subtype", "plain") == "html":
            html, body = msg.body, ""
        for content, mimetype in getattr(msg, "alternatives", []):
            if mimetype == "text/html":
                html = content
        payload_queue(Payload(subject=msg.subject, body=body, html=html, to=list(msg.to), from_email=msg.from_email))

    def is_email_verification_mandatory(self):
        return settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
