from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "Evaluations"

    def ready(self) -> None:
        from catalog.evidence import register_run_source
        from evaluations.services.evidence import EvalRunSource

        register_run_source(EvalRunSource())
