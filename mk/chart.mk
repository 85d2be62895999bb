# Helm chart, images and the kind workflow (charts/vocabulo, Dockerfiles/, kind-config.yaml).
# `make help` lists the targets. Tools: helm on PATH if present, else a pinned helm in .tools/bin.

CHART := charts/vocabulo
RELEASE ?= vocabulo
NAMESPACE ?= vocabulo
KIND_CLUSTER ?= vocabulo
# Images are tagged by content (scripts/tools/image_tag.sh: git tree hash of their build inputs);
# `make images` records the tag it built in .tools/image-tag for `make up` and `make e2e`.
# IMAGE_TAG=... forces a tag.
IMAGE_TAG ?=
IMAGE_TAG_FILE := .tools/image-tag
built_tag = $(or $(IMAGE_TAG),$(shell cat $(IMAGE_TAG_FILE) 2>/dev/null))
DOCKER ?= docker
IMAGE_BUILD_ARGS ?=
VOCABULO_IMAGES := db-restore quiz junior
HELM := $(shell command -v helm 2>/dev/null || echo $(CURDIR)/.tools/bin/helm)
JUNIOR_MODEL := apps/junior/models/use-multilingual-v3-int8.onnx

.PHONY: chart-tools chart-lint images test-images up down e2e kind-check

chart-tools: ## install pinned helm (.tools/bin), nca (.tools/nca) and checkov (.tools/checkov) if missing
	@command -v helm >/dev/null || scripts/tools/install_helm.sh
	@scripts/tools/install_pytool.sh nca
	@scripts/tools/install_pytool.sh checkov

chart-lint: venv chart-tools ## helm lint --strict + the offline chart tests (schemas, NetworkPolicy matrix, PSS, checkov)
	$(HELM) lint --strict $(CHART)
	$(PY) -m pytest tests/chart -q

define check_tool
	@command -v $(1) >/dev/null 2>&1 || { echo "missing $(1): $(2)"; exit 1; }
endef

images: ## build the quiz, junior and db-restore images, tagged by content (IMAGE_BUILD_ARGS=--build-arg PYTHON_IMAGE=...)
	$(call check_tool,$(DOCKER),install Docker (https://docs.docker.com/engine/install/) or set DOCKER=podman)
	@test -f $(JUNIOR_MODEL) || $(MAKE) models-junior
	@test -f data/lsf_app_dump.sql.gz || echo "warning: data/lsf_app_dump.sql.gz is missing; the restore image will have no baked dump (make dump)"
	@for image in restore quiz junior; do scripts/tools/wheelhouse.sh $$image || exit 1; done
	@tag="$(IMAGE_TAG)"; test -n "$$tag" || tag=$$(scripts/tools/image_tag.sh) || exit 1; \
	for image in $(VOCABULO_IMAGES); do \
	  echo "building vocabulo/$$image:$$tag"; \
	  $(DOCKER) build $(IMAGE_BUILD_ARGS) -t vocabulo/$$image:$$tag -f Dockerfiles/$$image.Dockerfile . || exit 1; \
	done; \
	mkdir -p $(dir $(IMAGE_TAG_FILE)) && echo "$$tag" > $(IMAGE_TAG_FILE) && echo "images tagged $$tag ($(IMAGE_TAG_FILE))"

test-images: venv ## build and run the images with a private Debian dockerd (slow: see docs/chart.md)
	$(PY) -m pytest -m images tests/images -v -s

kind-check: ## check kind, kubectl, docker and helm; name every missing tool and how to get it
	@missing=0; \
	command -v kind >/dev/null || { echo "missing kind >= 0.24: https://kind.sigs.k8s.io/docs/user/quick-start/#installation"; missing=1; }; \
	command -v kubectl >/dev/null || { echo "missing kubectl: https://kubernetes.io/docs/tasks/tools/ (or .tools/bin/kubectl after scripts/tools/install_helm.sh)"; missing=1; }; \
	command -v $(DOCKER) >/dev/null || { echo "missing $(DOCKER): https://docs.docker.com/engine/install/"; missing=1; }; \
	test -x "$(HELM)" || command -v helm >/dev/null || scripts/tools/install_helm.sh || { echo "missing helm: scripts/tools/install_helm.sh failed"; missing=1; }; \
	if [ $$missing = 0 ] && ! $(DOCKER) info >/dev/null 2>&1; then echo "$(DOCKER) is installed but its daemon is not reachable"; missing=1; fi; \
	exit $$missing

up: kind-check images ## kind cluster + images + helm upgrade --install --wait --wait-for-jobs (PSS restricted namespace) + NOTES
	@test -n "$(built_tag)" || { echo "no image tag: make images did not record one in $(IMAGE_TAG_FILE)"; exit 1; }
	@kind get clusters 2>/dev/null | grep -qx $(KIND_CLUSTER) || kind create cluster --name $(KIND_CLUSTER) --config kind-config.yaml
	@for image in $(VOCABULO_IMAGES); do kind load docker-image --name $(KIND_CLUSTER) vocabulo/$$image:$(built_tag) || exit 1; done
	@# The namespace enforces Pod Security Standards "restricted": a non-compliant pod is refused.
	kubectl --context kind-$(KIND_CLUSTER) create namespace $(NAMESPACE) --dry-run=client -o yaml | \
	  kubectl --context kind-$(KIND_CLUSTER) apply -f -
	kubectl --context kind-$(KIND_CLUSTER) label --overwrite namespace $(NAMESPACE) \
	  pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=v1.31
	@# Like any user: --wait for every pod and --wait-for-jobs for the restore Job. The content tag
	@# changes the pod templates whenever the images changed, so the pods roll.
	$(HELM) upgrade --install $(RELEASE) $(CHART) --namespace $(NAMESPACE) --create-namespace \
	  --kube-context kind-$(KIND_CLUSTER) --wait --wait-for-jobs --timeout 20m \
	  --set-string quiz.image.tag=$(built_tag) --set-string junior.image.tag=$(built_tag) \
	  --set-string restore.image.tag=$(built_tag)
	@$(HELM) get notes $(RELEASE) --namespace $(NAMESPACE) --kube-context kind-$(KIND_CLUSTER)

e2e: venv ## end-to-end tests against the live kind release (skip with a reason when no cluster is reachable)
	@command -v kind >/dev/null || echo "note: kind is not installed; the e2e tests will skip (install kind >= 0.24, then make up)"
	KUBE_CONTEXT=kind-$(KIND_CLUSTER) VOCABULO_NAMESPACE=$(NAMESPACE) VOCABULO_RELEASE=$(RELEASE) IMAGE_TAG=$(built_tag) \
	  $(PY) -m pytest -m e2e tests/e2e -v -rs

down: ## delete the kind cluster
	$(call check_tool,kind,install kind >= 0.24 (https://kind.sigs.k8s.io/docs/user/quick-start/#installation))
	kind delete cluster --name $(KIND_CLUSTER)
