# Storefront: the two commands of the README, and a few helpers.
SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: run test soak build site check clean

## Set up and run the example shop: the static site on :8080 and the order API on :8081.
run:
	scripts/install-deps.sh
	scripts/run-shop.sh

## Run every test: the Swift unit and API tests, then the system and browser tests (pytest).
test:
	scripts/install-deps.sh --test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	python3 -m pytest -q Tests/python || [ $$? -eq 5 ]  # 5: no tests collected yet

## Long reliability runs (RELIABILITY.md): 25 SIGKILLs, 100,000 hostile requests, 300 schemathesis cases per operation.
soak:
	scripts/install-deps.sh --test
	$(SWIFT) build --build-tests
	python3 -m pytest -q -m soak Tests/python

build:
	$(SWIFT) build

## Build the example shop into public/.
site:
	$(SWIFT) run storefront build

## Validate content/ without writing anything.
check:
	$(SWIFT) run storefront check

clean:
	rm -rf public .storefront-cache .data
