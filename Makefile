# The two commands of the quick start: `make demo` and `make test`.
# Both work on a fresh clone: they install what they need first.

SHELL := /bin/bash
# The SDK's notice that future releases need Node 22 is noise for local runs (the Lambdas run nodejs22.x).
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED := true
NPM_STAMP := node_modules/.installed-from-lock
RESULTS := .test-results
# The stages that read cdk.out run synth first; `make test` runs synth once as its own stage and empties this.
SYNTH_PREREQ ?= synth

.PHONY: demo test deps typecheck lint unit synth lint-templates integration bench clean

demo: $(NPM_STAMP)
	npx tsx bin/ir.ts demo

TEST_STAGES := typecheck lint unit synth lint-templates integration

# Every stage runs even when another one failed (a stage that needs synth's
# output is reported as not run when synth failed); the stages run side by side
# in three lanes, each printed whole when it ends (scripts/test-stages.sh); the closing line
# "tests: N passed, N failed" prints either way; the exit status is non-zero
# on any failure (scripts/test-stages.sh, scripts/test-summary.js).
# The stages share one bundle cache (lib/lambda-bundle/cache.ts): synth, the all-features stack of
# lint-templates and the CDK tests bundle each function once between them; removed at the end.
test: $(NPM_STAMP)
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@IR_BUNDLE_CACHE_DIR="$(CURDIR)/$(RESULTS)/bundle-cache" bash scripts/test-stages.sh $(RESULTS) $(TEST_STAGES); status=$$?; rm -rf $(RESULTS)/bundle-cache; exit $$status
	@node scripts/test-summary.js $(RESULTS) $(TEST_STAGES)

deps: $(NPM_STAMP)

# npm ci only when package-lock.json changed since the last install.
$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

typecheck: $(NPM_STAMP)
	npx tsc --noEmit -p .

lint: $(NPM_STAMP)
	npx eslint .

# Unit and CDK tests (mocked AWS clients, CDK assertions, cdk-nag).
unit: $(NPM_STAMP)
	@mkdir -p $(RESULTS)
	npx jest --ci --json --outputFile=$(RESULTS)/unit.json

synth: $(NPM_STAMP)
	npx cdk synth --quiet

# cfn-lint and checkov on every synthesised template: the security stacks (cdk.out, from `synth`),
# the member stack, and a security stack with every optional feature on (lint/all-features.json:
# approval, chat, Security Hub and GuardDuty write-back, escalation, code signing), the two
# synthesised side by side. Each accepted finding is in lint/template-suppressions.yaml with its
# reason; anything else fails.
VENV_PYTHON := .venv/bin/python
LINT_TOOLS_STAMP := .venv/.lint-tools-installed
MEMBER_OUT := cdk.out/member-stack
ALL_FEATURES_OUT := cdk.out/all-features

# Into the project's .venv (the same one the emulator's moto may use), once per change of the pinned versions.
$(LINT_TOOLS_STAMP): lint/requirements.txt
	@test -x $(VENV_PYTHON) || python3 -m venv .venv
	$(VENV_PYTHON) -m pip install --quiet --disable-pip-version-check -r lint/requirements.txt
	@touch $@

lint-templates: $(NPM_STAMP) $(LINT_TOOLS_STAMP) $(SYNTH_PREREQ)
	@# One line of JSON: the CLI's -c does not carry a value over several lines. Both synths are always waited for.
	@npx cdk synth --quiet -c deployMemberStack=true -c 'incidentResponse={"securityAccountId":"111122223333"}' -o $(MEMBER_OUT) & member=$$!; \
	npx cdk synth --quiet -c "incidentResponse=$$(node -p 'JSON.stringify(require("./lint/all-features.json"))')" -o $(ALL_FEATURES_OUT) & all=$$!; \
	wait $$member; member_status=$$?; wait $$all; all_status=$$?; \
	if [ $$member_status -ne 0 ]; then echo "member stack synth failed"; fi; \
	if [ $$all_status -ne 0 ]; then echo "all-features security stack synth (lint/all-features.json) failed"; fi; \
	[ $$member_status -eq 0 ] && [ $$all_status -eq 0 ]
	$(VENV_PYTHON) lint/lint_templates.py cdk.out/*.template.json $(MEMBER_OUT)/*.template.json $(ALL_FEATURES_OUT)/*.template.json

# The playbooks against the local AWS emulator (moto server on 127.0.0.1): two jest workers, each with
# an emulator of its own (a file waits on its emulator more than it computes). One file by hand:
# `npx jest -c jest.integration.config.js FILE` starts one (the config's maxWorkers).
INTEGRATION_WORKERS ?= 2
integration: $(NPM_STAMP) $(SYNTH_PREREQ)
	@mkdir -p $(RESULTS)
	npx jest --ci -c jest.integration.config.js --maxWorkers=$(INTEGRATION_WORKERS) --json --outputFile=$(RESULTS)/integration.json

# Cloud Custodian, which `make bench` runs side by side with the responder (bench/custodian.ts), in a
# virtualenv of its own inside .venv/: c7n and checkov each pin boto3 to a different exact version.
# Once per change of the pinned version; `make test` never needs it.
CUSTODIAN_VENV := .venv/custodian
CUSTODIAN_STAMP := $(CUSTODIAN_VENV)/.installed
$(CUSTODIAN_STAMP): bench/custodian/requirements.txt
	@test -x $(CUSTODIAN_VENV)/bin/python || python3 -m venv $(CUSTODIAN_VENV)
	$(CUSTODIAN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r bench/custodian/requirements.txt
	@touch $@

bench: $(NPM_STAMP) $(CUSTODIAN_STAMP)
	npx tsx bench/main.ts

clean:
	rm -rf cdk.out $(RESULTS) node_modules .venv
