# Day-2 operations (issue 7): scheduled backups, restore from a backup, alert rules, dashboards.
# See docs/operations.md. `make help` lists the targets. Cluster targets use the current kubectl
# context unless KUBE_CONTEXT is set.

RELEASE ?= vocabulo
NAMESPACE ?= vocabulo
CHART ?= charts/vocabulo
HELM ?= $(shell command -v helm 2>/dev/null || echo $(CURDIR)/.tools/bin/helm)
KUBECTL ?= kubectl
KUBE_CONTEXT ?=
BACKUP ?=
BACKUP_SHA256 ?=
OPS_CTX = $(if $(KUBE_CONTEXT),--context $(KUBE_CONTEXT))
# Object names follow the chart's fullname: the release name, plus "-vocabulo" unless it has it.
OPS_FULLNAME = $(if $(findstring vocabulo,$(RELEASE)),$(RELEASE),$(RELEASE)-vocabulo)
OPS_HELM_CTX = $(if $(KUBE_CONTEXT),--kube-context $(KUBE_CONTEXT))

.PHONY: ops-tools test-ops ops-cluster-check backup-now backup-list restore-backup-args restore-backup

ops-tools: ## install promtool (Debian "prometheus", as root) and the pinned helm if missing
	@bash tests/ops/install_promtool.sh
	@command -v helm >/dev/null || test -x .tools/bin/helm || scripts/tools/install_helm.sh

test-ops: venv ops-tools ## offline tests of backups/monitoring in the chart (promtool) + backup→damage→restore on Postgres
	$(PY) -m pytest -q tests/ops $(PYTEST_ARGS)
	$(PY) scripts/pgserver.py run -- $(PY) -m pytest -q tests/integration/test_backup.py $(PYTEST_ARGS)

ops-cluster-check:
	@missing=0; \
	command -v $(KUBECTL) >/dev/null || { echo "missing kubectl: https://kubernetes.io/docs/tasks/tools/ (or .tools/bin/kubectl after scripts/tools/install_helm.sh)"; missing=1; }; \
	test -x "$(HELM)" || command -v helm >/dev/null || { echo "missing helm: run scripts/tools/install_helm.sh or https://helm.sh/docs/intro/install/"; missing=1; }; \
	if [ $$missing = 0 ] && ! $(KUBECTL) $(OPS_CTX) -n $(NAMESPACE) get cronjob $(OPS_FULLNAME)-backup >/dev/null 2>&1; then \
	  echo "no CronJob $(OPS_FULLNAME)-backup in namespace $(NAMESPACE) (context: $${KUBE_CONTEXT:-current}); install with --set backup.enabled=true"; missing=1; fi; \
	exit $$missing

backup-now: ops-cluster-check ## run the backup CronJob once now and wait for it (RELEASE, NAMESPACE, KUBE_CONTEXT)
	@job=$(OPS_FULLNAME)-backup-manual-$$(date -u +%Y%m%d%H%M%S); \
	$(KUBECTL) $(OPS_CTX) -n $(NAMESPACE) create job $$job --from=cronjob/$(OPS_FULLNAME)-backup && \
	$(KUBECTL) $(OPS_CTX) -n $(NAMESPACE) wait --for=condition=complete --timeout=30m job/$$job && \
	$(KUBECTL) $(OPS_CTX) -n $(NAMESPACE) logs job/$$job --tail=1

backup-list: ops-cluster-check ## the backup files kept on the PVC, as reported by the last successful backup
	@job=$$($(KUBECTL) $(OPS_CTX) -n $(NAMESPACE) get jobs -l app.kubernetes.io/component=backup,app.kubernetes.io/instance=$(RELEASE) \
	  -o jsonpath='{range .items[?(@.status.succeeded==1)]}{.status.completionTime}{" "}{.metadata.name}{"\n"}{end}' | sort | tail -1 | cut -d' ' -f2); \
	test -n "$$job" || { echo "no successful backup Job left (successfulJobsHistoryLimit); run make backup-now"; exit 1; }; \
	$(KUBECTL) $(OPS_CTX) -n $(NAMESPACE) logs job/$$job --tail=1

restore-backup-args:
	@test -n "$(BACKUP)" || { echo "usage: make restore-backup BACKUP=vocabulo-YYYYmmddTHHMMSSZ.dump [BACKUP_SHA256=hex] (make backup-list shows the files)"; exit 2; }
	@case "$(BACKUP)" in */*|..*) echo "BACKUP is a file name on the backup PVC, not a path"; exit 2;; esac

restore-backup: restore-backup-args ops-cluster-check ## restore BACKUP=<file on the backup PVC> in replace mode (helm upgrade --wait-for-jobs), then turn the restore Job off
	@# 0) Keep the release's own values, 1) restore the file in replace mode: a new restore Job
	@#    (named after the file), waited for with --wait-for-jobs, 2) upgrade again with the saved
	@#    values and the restore Job off: the database now holds the backup, which a later restore
	@#    would either load again or (mode once) keep with an "another dump" notice.
	@mkdir -p .tools && $(HELM) get values $(RELEASE) --namespace $(NAMESPACE) $(OPS_HELM_CTX) -o yaml > .tools/$(RELEASE)-values.yaml
	$(HELM) upgrade $(RELEASE) $(CHART) --namespace $(NAMESPACE) $(OPS_HELM_CTX) --timeout 30m \
	  --wait --wait-for-jobs --values .tools/$(RELEASE)-values.yaml \
	  --set restore.enabled=true --set restore.mode=replace --set restore.force=true \
	  --set restore.dump.source=backup \
	  --set-string restore.dump.path=$(BACKUP) --set-string restore.dump.sha256=$(BACKUP_SHA256)
	$(HELM) upgrade $(RELEASE) $(CHART) --namespace $(NAMESPACE) $(OPS_HELM_CTX) --timeout 30m \
	  --wait --values .tools/$(RELEASE)-values.yaml --set restore.enabled=false
	@echo "restored $(BACKUP); the restore Job is now off (restore.enabled=false): see docs/operations.md"
