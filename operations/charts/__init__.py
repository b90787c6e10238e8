"""Server-side SVG charts and the world map for dashboards, drawn from plain data passed in (no queries).

svg.py: the palette, sizes and small SVG helpers both share; bars.py: bar and column charts; maps.py: the world map.
"""

from .bars import (  # noqa: F401
    bar_chart,
    bar_layout,
    column_chart,
    column_layout,
)
from .maps import (  # noqa: F401
    MAP_FILE,
    MIN_ZOOM_WIDTH,
    WorldMap,
    _classes,
    _outline_boxes,
    _world,
    unmappable,
    world_map,
)
from .svg import (  # noqa: F401
    BAR_FILL,
    BASELINE_SHIFT,
    BORDER,
    FONT_SIZE,
    GLYPH_WIDTH,
    HATCH_BACKGROUND,
    HATCH_LINE,
    HIGHLIGHT_STROKE_WIDTH,
    LABEL_MARGIN,
    LONGEST_UPRIGHT_LABEL,
    MAP_FONT_SIZE,
    NEUTRAL_FILL,
    RAMP,
    STAR_STROKE_WIDTH,
    UNKNOWN,
    _text_width,
)
