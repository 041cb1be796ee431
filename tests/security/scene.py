"""One scene holding a hostile payload in every user-controlled field that pages show.

`build_scene()` runs inside an app context and commits; it returns the users and the values
that fill every URL argument of the app (see conftest.fill_rule).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from pbplatform.api.services import create_token
from pbplatform.audit import services as audit
from pbplatform.channels.models import Meeting, PaperImport, VotingCodeBatch, VotingSite
from pbplatform.codesign.models import Amendment, CoAuthor, MergeConsent, MergeRequest
from pbplatform.coproduction.models import Offer, OfferDelivery
from pbplatform.db import utcnow
from pbplatform.decisions.models import Routing, RoutingKind
from pbplatform.discussion.models import Comment
from pbplatform.extensions import db
from pbplatform.jobs.models import Job
from pbplatform.meetings.models import MeetingEvent
from pbplatform.notifications.models import Follow, Notification
from pbplatform.privacy.models import DataExport
from pbplatform.proposals.models import ProposalEvent, ProposalFlag
from tests.factories import create_area, create_cycle, create_proposal, create_user

SCRIPT = "<script>alert(1)</script>"
SVG = '"><svg onload=alert(1)>'
JS_LINK = '<a href="javascript:alert(1)">x</a> [y](javascript:alert(2))'
TEMPLATE = "tpl{{7*7}}tpl"
TEMPLATE_RESULT = "tpl49tpl"
# What must never reach a page unescaped.
_scenes = itertools.count(1)
RAW = (SCRIPT, SVG, "<svg onload", '<a href="javascript:', "<script>")


def build_scene(phase: str = "voting") -> SimpleNamespace:
    n = next(_scenes)
    area_a, area_b = create_area(f"Area {SVG} {n}"), create_area(f"Area B {n}")
    cycle = create_cycle(phase, areas=[area_a, area_b])
    cycle.name = f"Cycle {SCRIPT} {TEMPLATE}"
    evil = create_user("resident", name=f"{SCRIPT}{TEMPLATE}", area=area_a)
    officer = create_user("officer", name=f"Officer {SVG}", officer_areas=(area_a,))
    admin = create_user("admin")
    proposal = create_proposal(cycle, area=area_a, author=evil, title=SVG)
    proposal.description = f"{JS_LINK}\n{TEMPLATE}\n{SCRIPT}"
    pending = create_proposal(
        cycle, area=area_a, author=evil, status="pending", title=f"Pending {SCRIPT}"
    )
    offer = Offer(
        cycle_id=cycle.id,
        proposal_id=proposal.id,
        offerer_id=evil.id,
        offerer_name=SCRIPT,
        kind="materials",
        quantity=Decimal(3),
        unit=SVG,
        description=f"{SCRIPT} {JS_LINK} {TEMPLATE}",
        conditions=SVG,
        schedule=SCRIPT,
    )
    meeting = Meeting(
        cycle_id=cycle.id,
        area_id=area_a.id,
        held_on=date.today(),
        place=f"{SCRIPT} {TEMPLATE}",
        attendance=3,
        created_by_id=officer.id,
    )
    site = VotingSite(
        cycle_id=cycle.id, area_id=area_a.id, name=f"{SVG} site", address=f"{SCRIPT} {TEMPLATE}"
    )
    db.session.add_all([offer, meeting, site])
    db.session.flush()
    db.session.add_all(
        [
            PaperImport(
                cycle_id=cycle.id,
                site_id=site.id,
                officer_id=officer.id,
                filename=f"{SCRIPT}.csv",
                file_sha256=f"{n:064d}",
                row_count=0,
            ),
            VotingCodeBatch(
                cycle_id=cycle.id, count=1, label=f"{SVG} {TEMPLATE}", created_by_id=admin.id
            ),
            ProposalEvent(proposal_id=proposal.id, kind="submitted", note=f"{SCRIPT} {TEMPLATE}"),
            ProposalFlag(proposal_id=proposal.id, user_id=evil.id, reason=f"{SVG} {JS_LINK}"),
            OfferDelivery(offer_id=offer.id, delivered_on=date.today(), description=SCRIPT),
        ]
    )
    token, plain = create_token(evil, f"{SCRIPT}")  # audited with the evil actor label
    audit.record("security.scene", proposal, actor=evil, after={"title": SVG, "note": SCRIPT})
    export = DataExport(  # the evil resident's download of their data (privacy feature)
        user_id=evil.id, content=b"PK", created_at=utcnow(), expires_at=utcnow() + timedelta(1)
    )
    db.session.add(export)
    # The evil resident's failed background job, its error carrying a payload (jobs feature).
    job = Job(kind="privacy_export", created_by_id=evil.id, status="failed", error=SCRIPT)
    db.session.add(job)
    # A proposal forwarded to an authority whose name and answer carry payloads (issue 15).
    routing = Routing(
        proposal_id=proposal.id,
        cycle_id=cycle.id,
        area_id=area_a.id,
        kind=RoutingKind.FORWARDED,
        authority=f"{SCRIPT} {TEMPLATE}",
        note=SVG,
        answer=f"{JS_LINK} {SCRIPT}",
        answered_on=date.today(),
    )
    db.session.add(routing)
    db.session.flush()
    # Residents in the loop (issue 16): a comment, an amendment, an invitation, a merge
    # question, a follow and a notification, a meeting's public page; all carrying payloads.
    comment = Comment(proposal_id=proposal.id, author_id=evil.id, body=f"{SCRIPT} {JS_LINK}")
    amendment = Amendment(
        proposal_id=pending.id,
        amender_id=officer.id,
        old_title=pending.title,
        old_description=pending.description,
        title=SVG,
        description=f"{SCRIPT} {TEMPLATE}",
    )
    invitation = CoAuthor(proposal_id=proposal.id, user_id=admin.id, invited_by_id=evil.id)
    merge = MergeRequest(target_id=proposal.id, original_ids=[pending.id])
    follow = Follow(user_id=evil.id, proposal_id=proposal.id)
    db.session.add_all([comment, amendment, invitation, merge, follow])
    db.session.flush()
    consent = MergeConsent(request_id=merge.id, user_id=evil.id)
    db.session.add_all(
        [
            consent,
            Notification(user_id=evil.id, kind="approved", proposal_id=proposal.id, note=SCRIPT),
            MeetingEvent(meeting_id=meeting.id, agenda=f"{SCRIPT} {JS_LINK}", minutes=SVG),
        ]
    )
    db.session.flush()
    survey, named = _hostile_survey(cycle, area_a, officer, evil)
    values = {
        "slug": cycle.slug,
        "cycle_id": cycle.id,
        "area_id": area_a.id,
        "user_id": evil.id,
        "tracking_number": proposal.tracking_number,
        "offer_id": offer.id,
        "meeting_id": meeting.id,
        "site_id": site.id,
        "number": 1,
        "token_id": token.id,
        "token": "not-a-real-token",
        "export_id": export.id,
        "job_id": job.id,
        "file_name": "A" * 32 + ".jpg",  # a milestone photo (delivery)
        "comment_id": comment.id,
        "amendment_id": amendment.id,
        "row_id": invitation.id,
        "consent_id": consent.id,
        "request_id": merge.id,
        "follow_id": follow.id,
        "answer": "accept",
        "list_key": "district",
        "routing_id": routing.id,
        "survey_id": survey.id,
        "question_id": survey.questions[0].id,
        "response_id": named.id,  # a named paper response (privacy requests)
        "reason": "too-many",  # what nginx refused (main.refused_by_proxy)
    }
    scene = SimpleNamespace(
        cycle_id=cycle.id,
        evil_id=evil.id,
        officer_id=officer.id,
        admin_id=admin.id,
        proposal_id=proposal.id,
        pending_id=pending.id,
        area_a_id=area_a.id,
        site_id=site.id,
        values=values,
        api_token=plain,
    )
    db.session.commit()
    return scene


def _hostile_survey(cycle, area, officer, resident):  # -> (survey, its named response)
    """A survey whose texts, items, named respondent and free-text answer carry payloads; its
    results are public (surveys feature)."""
    from pbplatform.surveys.models import AllocationUnit, QuestionKind
    from pbplatform.surveys.services import (
        ItemInput,
        QuestionInput,
        create_survey,
        enter_named,
        respond_online,
    )

    survey = create_survey(
        officer,
        [
            QuestionInput(
                kind=QuestionKind.ALLOCATION,
                text=f"{SCRIPT} {TEMPLATE}",
                unit=AllocationUnit.POINTS,
                total=Decimal(100),
                items=[ItemInput(SVG), ItemInput(f"{SCRIPT} {TEMPLATE}")],
            ),
            QuestionInput(kind=QuestionKind.TEXT, text=SVG, required=False),
        ],
        title=f"Survey {SCRIPT} {TEMPLATE}",
        introduction=JS_LINK,
        hide_results_until_close=False,
        asks_attributes=True,
        cycle_id=cycle.id,
        area_id=area.id,
    )
    allocation, text = survey.questions
    items = [str(i.id) for i in allocation.items]
    named = enter_named(
        survey,
        officer,
        f"{SCRIPT} {TEMPLATE}",
        {str(allocation.id): {items[0]: "60", items[1]: "40"}, str(text.id): SCRIPT},
        consent_to_name=True,
    )
    respond_online(survey, resident, {str(allocation.id): {items[0]: "100"}, str(text.id): JS_LINK})
    # A wording fixed after answers (its history) and an invitation to the survey, with payloads.
    from pbplatform.notifications.models import Notification
    from pbplatform.surveys.models import SurveyWordingChange

    db.session.add_all(
        [
            SurveyWordingChange(
                survey_id=survey.id,
                question_id=allocation.id,
                item_id=allocation.items[0].id,
                field="text",
                before=f"{SCRIPT} {TEMPLATE}",
                after=SVG,
                changed_by_id=officer.id,
            ),
            Notification(
                user_id=resident.id, kind="survey_invitation", survey_id=survey.id, note=SCRIPT
            ),
        ]
    )
    db.session.flush()
    return survey, named
