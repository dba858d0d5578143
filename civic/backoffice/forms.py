"""The back office's own form: an area's outline, as a GeoJSON file or pasted."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from ..core.forms import Form

# A Municipio's outline as GeoJSON is a few hundred kilobytes at most.
MAX_UPLOAD = 5 * 1024 * 1024


class BoundaryForm(Form):
    area_id = SelectField(_l("Municipio"), coerce=int, validate_choice=True)
    file = FileField(_l("GeoJSON file"))
    text = TextAreaField(
        _l("Or paste the GeoJSON (empty, with no file: remove the outline)"),
        validators=[Optional(), Length(max=MAX_UPLOAD)],
    )
