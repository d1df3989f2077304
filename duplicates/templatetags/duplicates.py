"""``{% load duplicates %}``: the article page's duplicates card and a percentage filter."""

from django import template

from duplicates import selectors

register = template.Library()

PERMISSION = "articles.merge_articles"


@register.filter
def percent(value) -> str:
    """0.957 -> "96%"."""
    try:
        return f"{float(value):.0%}"
    except (TypeError, ValueError):
        return ""


@register.filter
def passage_excerpt(passage, limit: int = 220) -> str:
    """The first side of a stored shared passage, shortened for a list."""
    text = " ¶ ".join((passage or {}).get("text_a", "").splitlines())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@register.filter
def paragraph_name(index) -> str:
    """Where a shared passage starts: index 0 is the title, then the paragraphs from 1."""
    try:
        index = int(index)
    except (TypeError, ValueError):
        return ""
    return "the title" if index == 0 else f"paragraph {index}"


@register.filter
def other_article(pair, article):
    """The other article of a candidate pair."""
    return pair.other(article)


@register.inclusion_tag("duplicates/_article_duplicates.html", takes_context=True)
def article_duplicates(context, article):
    """The article's open candidate pairs and the merges into it, with "Undo merge" for editors.
    Needs ``request`` in the context (the request context processor puts it there)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "article": article,
        "pairs": list(selectors.open_pairs_of(article)),
        "merges": list(selectors.merges_into(article)),
        "can_merge": bool(user and user.has_perm(PERMISSION)),
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path() if request else article.get_absolute_url(),
    }
