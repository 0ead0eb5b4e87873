"""Forms of 每月一题: the topic with its tasks, a task done, the topic concluded."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from chamber.models import Department
from petitions.models import Petition, TopicTask

# A topic covers at most this many petitions (a class of cases, not the whole year).
MAX_PETITIONS = 200
# Empty task rows offered under a topic's tasks.
EXTRA_TASKS = 3
MAX_TASKS = 30


def _departments():
    return Department.objects.filter(is_active=True).order_by("sort_order", "name")


class TopicForm(forms.Form):
    month = forms.DateField(
        label=capfirst(_("month")),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("Year and month, e.g. 2026-04."),
    )
    title = forms.CharField(
        label=capfirst(pgettext_lazy("heading", "title")), max_length=200
    )
    lead_department = forms.ModelChoiceField(
        label=capfirst(_("lead department")), queryset=Department.objects.none()
    )
    departments = forms.ModelMultipleChoiceField(
        label=capfirst(_("co-operating departments")),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    problems = forms.CharField(
        label=capfirst(_("concrete problems")),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Two or three concrete problems, one a line."),
    )
    petitions = forms.CharField(
        label=capfirst(_("petitions it covers")),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_("Their numbers, separated by spaces or commas."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_department"].queryset = _departments()
        self.fields["departments"].queryset = _departments()

    def clean_petitions(self) -> list[Petition]:
        numbers = [
            n.upper()
            for n in re.split(r"[\s,，、;；]+", self.cleaned_data["petitions"])
            if n
        ]
        numbers = list(dict.fromkeys(numbers))
        if len(numbers) > MAX_PETITIONS:
            raise ValidationError(
                gettext("A topic covers at most %(n)d petitions.")
                % {"n": MAX_PETITIONS}
            )
        found = {p.number: p for p in Petition.objects.filter(number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise ValidationError(
                gettext("There is no petition numbered %(number)s.")
                % {"number": "、".join(missing[:5])}
            )
        return [found[n] for n in numbers]


class TaskForm(forms.Form):
    """One task: what, the department or person in charge, by when. An empty row is
    skipped; `task` names an existing task of the topic being changed."""

    task = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=capfirst(_("task")), max_length=300, required=False)
    department = forms.ModelChoiceField(
        label=capfirst(_("department in charge")),
        queryset=Department.objects.none(),
        required=False,
    )
    owner = forms.CharField(
        label=capfirst(_("person in charge")), max_length=100, required=False
    )
    due_on = forms.DateField(
        label=capfirst(_("due date")),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, tasks: dict[int, TopicTask], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tasks = tasks
        self.fields["department"].queryset = _departments()

    def clean_task(self) -> TopicTask | None:
        pk = self.cleaned_data.get("task")
        if pk is None:
            return None
        if pk not in self.tasks:
            raise ValidationError(gettext("This task is not one of the topic's."))
        return self.tasks[pk]

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("text") or "").strip():
            return data
        if data.get("due_on") is None and "due_on" not in self.errors:
            self.add_error("due_on", gettext("Give the task a due date."))
        if data.get("department") is None and not (data.get("owner") or "").strip():
            self.add_error(
                "owner", gettext("Name the department or the person in charge.")
            )
        return data


class BaseTaskFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if self.creating and not self.rows():
            raise ValidationError(gettext("Give the topic at least one task."))

    def rows(self) -> list[dict]:
        """The typed tasks, empty rows left out."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and (form.cleaned_data.get("text") or "").strip()
        ]


def task_formset(
    *, tasks: dict[int, TopicTask], creating: bool, data=None, initial=None
):
    """The task rows: the open tasks of the topic (to change), then empty ones; a new
    topic needs at least one task."""
    formset = forms.formset_factory(
        TaskForm,
        formset=BaseTaskFormSet,
        extra=EXTRA_TASKS,
        max_num=MAX_TASKS,
        validate_max=True,
        absolute_max=MAX_TASKS,
    )
    rows = formset(data, initial=initial, prefix="tasks", form_kwargs={"tasks": tasks})
    rows.creating = creating
    return rows


class TaskDoneForm(forms.Form):
    note = forms.CharField(
        label=capfirst(_("what was done")),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Or why it stopped."),
    )


class CloseTopicForm(forms.Form):
    result = forms.CharField(
        label=capfirst(_("result")),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the topic achieved: for the leaders, and for the article."),
    )
