"""Keep an article's derived search text current when its captions change one by one.

Bulk import writes caption_text directly (bulk_create sends no signals); these handlers cover
edits made one caption at a time, in the admin or elsewhere.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Article, Caption


@receiver(post_save, sender=Caption)
@receiver(post_delete, sender=Caption)
def refresh_article_caption_text(sender, instance: Caption, **kwargs) -> None:
    article = Article.objects.filter(pk=instance.article_id).first()
    if article is not None:
        article.refresh_caption_text()
