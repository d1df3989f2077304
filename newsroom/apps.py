from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from newsroom.middleware import mark_session_renewed
        from newsroom.security import end_sessions_of_deactivated_user, log_lockout

        post_save.connect(
            end_sessions_of_deactivated_user,
            sender=get_user_model(),
            dispatch_uid="newsroom.end_sessions_of_deactivated_user",
        )
        user_logged_in.connect(mark_session_renewed, dispatch_uid="newsroom.mark_session_renewed")
        user_locked_out.connect(log_lockout, dispatch_uid="newsroom.log_lockout")
