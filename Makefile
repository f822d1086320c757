# Two commands for a newcomer: `make run` and `make test`. Each creates .venv and installs what
# it needs when missing (a stamp file keeps the second run quick).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PSEUDO_PO := locales/xa/LC_MESSAGES/messages.po
PSEUDO_MO := $(PSEUDO_PO:.po=.mo)
PO := $(filter-out $(PSEUDO_PO),$(wildcard locales/*/LC_MESSAGES/messages.po))
MO := $(PO:.po=.mo)
PYBABEL_EXTRACT := $(BIN)/pybabel -q extract -F pyproject.toml -k N_ -c NOTE: -w 100 \
	--add-location=file --sort-by-file --project=promote-bot --copyright-holder="promote-bot" \
	--msgid-bugs-address="" -o locales/messages.pot .

.PHONY: install run test i18n docs clean

install: $(STAMP) $(MO) $(PSEUDO_MO)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# Compiled catalogs are built from the .po files, never committed.
locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel -q compile -D messages -d locales -l $*

# The pseudo-locale (bot/pseudo.py) is generated from the template, never committed.
$(PSEUDO_MO): locales/messages.pot bot/pseudo.py $(STAMP)
	$(BIN)/python -m bot.pseudo

run: install
	$(BIN)/promote-bot run

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

# Extract the strings from the code, merge them into every catalog, and compile.
i18n: $(STAMP)
	$(PYBABEL_EXTRACT)
	$(BIN)/pybabel -q update -i locales/messages.pot -d locales -D messages -w 100 \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/python -m bot.pseudo
	$(BIN)/pybabel -q compile -D messages -d locales

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find locales -name '*.mo' -delete
	rm -rf locales/xa

# Regenerate the generated docs (the flow diagram); a unit test fails when they are stale.
docs: $(STAMP)
	$(BIN)/python -m bot.flow.diagram > docs/flow.md
