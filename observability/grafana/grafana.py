"""Small builders for Grafana dashboard JSON (schema 39), so the dashboards stay readable as code.

Every panel and template variable points at the provisioned Prometheus datasource by its fixed uid;
panel ids and grid positions are assigned here, so definitions only say what to show.
"""

DATASOURCE = {"type": "prometheus", "uid": "pipit-prometheus"}

# Filters every pipit query by the common tag and the instance variable.
SEL = 'application="pipit", instance=~"$instance"'
RATE = "[$__rate_interval]"


def target(expr, legend=""):
    """One PromQL query of a panel; the refId is assigned by the panel."""
    return {"expr": " ".join(expr.split()), "legendFormat": legend}


def quantiles(metric, by="", qs=(0.5, 0.95, 0.99), legend=""):
    """histogram_quantile targets over the rate of metric's _bucket series, one per quantile."""
    group = ", ".join(["le"] + ([by] if by else []))
    extra = (" " + legend) if legend else ""
    return [
        target(
            f"histogram_quantile({q}, sum by ({group}) (rate({metric}_bucket{{{SEL}}}{RATE})))",
            f"p{round(q * 100)}{extra}",
        )
        for q in qs
    ]


def mean(metric, by="", legend="mean"):
    """The mean of a timer or summary over the rate interval: rate(_sum) / rate(_count)."""
    grouping = f" by ({by})" if by else ""
    return target(
        f"sum{grouping} (rate({metric}_sum{{{SEL}}}{RATE}))"
        f" / sum{grouping} (rate({metric}_count{{{SEL}}}{RATE}))",
        legend,
    )


def panel(title, description, targets, unit="short", kind="timeseries", width=12, height=8,
          thresholds=None, stack=False):
    """A panel; kind is timeseries, stat or table. thresholds: [(value, colour), ...] after green."""
    steps = [{"color": "green", "value": None}]
    steps += [{"color": colour, "value": value} for value, colour in (thresholds or [])]
    custom = {}
    if kind == "timeseries":
        custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never",
                  "stacking": {"mode": "normal" if stack else "none", "group": "A"},
                  "thresholdsStyle": {"mode": "line" if thresholds else "off"}}
    options = {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
               "tooltip": {"mode": "multi", "sort": "desc"}}
    if kind == "stat":
        options = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                   "colorMode": "value", "graphMode": "area", "textMode": "auto",
                   "justifyMode": "auto", "orientation": "auto"}
    if kind == "table":
        options = {"showHeader": True, "cellHeight": "sm"}
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "fieldConfig": {
            "defaults": {"unit": unit, "custom": custom,
                         "thresholds": {"mode": "absolute", "steps": steps}},
            "overrides": [],
        },
        "options": options,
        "targets": [
            dict(t, refId=chr(ord("A") + i), datasource=DATASOURCE, range=kind != "table",
                 instant=kind == "table", **({"format": "table"} if kind == "table" else {}))
            for i, t in enumerate(targets)
        ],
        "_size": (width, height),
    }


def row(title, panels, collapsed=False):
    """A row; a collapsed row carries its panels inside it (Grafana's layout for closed rows)."""
    return {"type": "row", "title": title, "collapsed": collapsed, "_panels": panels}


def variable(name, label, query):
    """A query variable over label_values(...), multi-valued with All matching every value."""
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "definition": query,
        "query": {"query": query, "refId": f"{name}-variable"},
        "refresh": 2,
        "includeAll": True,
        "multi": True,
        "allValue": ".*",
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
        "hide": 0,
        "regex": "",
        "options": [],
    }


INSTANCE = variable(
    "instance", "Instance", 'label_values(process_uptime_seconds{application="pipit"}, instance)')


def dashboard(uid, title, description, rows, variables=(INSTANCE,)):
    """A whole dashboard: lays rows and panels out on Grafana's 24-column grid, numbers panels."""
    ids = iter(range(1, 1000))
    y = 0
    panels = []

    def place(items, top):
        x, bottom = 0, top
        for item in items:
            width, height = item.pop("_size")
            if x + width > 24:
                x, top = 0, bottom
            item["id"] = next(ids)
            item["gridPos"] = {"h": height, "w": width, "x": x, "y": top}
            x += width
            bottom = max(bottom, top + height)
        return bottom

    for r in rows:
        inner = r.pop("_panels")
        r["id"] = next(ids)
        r["gridPos"] = {"h": 1, "w": 24, "x": 0, "y": y}
        r["panels"] = []
        panels.append(r)
        if r["collapsed"]:
            place(inner, y + 1)
            r["panels"] = inner
            y += 1
        else:
            y = place(inner, y + 1)
            panels.extend(inner)
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["pipit"],
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"},
        "links": [{"type": "dashboards", "tags": ["pipit"], "asDropdown": True, "title": "pipit"}],
        "annotations": {"list": []},
        "templating": {"list": list(variables)},
        "panels": panels,
    }
