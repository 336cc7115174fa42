# Storefront: the two commands of the README, and a few helpers.
SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: run test build site check clean

## Set up and run the example shop: the static site on :8080 and the order API on :8081.
run:
	scripts/install-deps.sh
	scripts/run-shop.sh

## Run every test.
test:
	scripts/install-deps.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

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
