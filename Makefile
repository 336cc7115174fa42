# Storefront: the two commands of the README, and a few helpers.
SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: run test flaky-check lint format soak build install site check clean bench bench-quick bench-api bench-pages bench-merchant bench-images

## Set up and run the example shop: the static site on :8080 and the order API on :8081.
run:
	scripts/install-deps.sh
	scripts/run-shop.sh

## Run every test: the Swift unit and API tests, then the system and browser tests (pytest), beside one
## throwaway PostgreSQL cluster (scripts/with-test-postgres.sh) that is removed afterwards, even on failure.
test:
	scripts/install-deps.sh --test
	scripts/check-test-limits.sh
	$(SWIFT) build --build-tests
	scripts/with-test-postgres.sh sh -c 'status=0; scripts/swift-test.sh || status=$$?; python3 -m pytest -q Tests/python || status=$$?; exit $$status'

## Formatting (.swift-format, Hummingbird's style with 160 columns): `swift format lint` as CI runs it.
## `make format` rewrites the files in place.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format:
	$(SWIFT) format format --in-place --recursive Sources Tests Package.swift

## The suites back to back, counting failures: 30 runs of the Swift tests, 5 of pytest
## (FLAKY_SWIFT_RUNS, FLAKY_PYTEST_RUNS). Logs of failed runs go to test-output/flaky/.
flaky-check:
	scripts/install-deps.sh --test
	$(SWIFT) build --build-tests
	scripts/flaky-check.sh

## Long reliability runs (RELIABILITY.md): 25 SIGKILLs, 100,000 hostile requests, 300 schemathesis cases per operation.
soak:
	scripts/install-deps.sh --test
	$(SWIFT) build --build-tests
	python3 -m pytest -q -m soak --timeout 7200 Tests/python

build:
	$(SWIFT) build

## Install release builds of storefront, order-api and payment-sandbox into $(PREFIX)/bin, with the
## SwiftPM resource bundles beside them (the order API's holds openapi.yaml). The default theme is built into
## storefront, so nothing else is needed: `storefront new myshop && cd myshop && storefront serve`.
PREFIX ?= /usr/local
CONFIG ?= release
install:
	$(SWIFT) build -c $(CONFIG) --product storefront
	$(SWIFT) build -c $(CONFIG) --product order-api
	$(SWIFT) build -c $(CONFIG) --product payment-sandbox
	bin="$$($(SWIFT) build -c $(CONFIG) --show-bin-path)" && \
	install -d "$(DESTDIR)$(PREFIX)/bin" && \
	install -m 755 "$$bin/storefront" "$$bin/order-api" "$$bin/payment-sandbox" "$(DESTDIR)$(PREFIX)/bin/" && \
	for bundle in "$$bin"/*.resources; do \
		rm -rf "$(DESTDIR)$(PREFIX)/bin/$$(basename "$$bundle")" && cp -R "$$bundle" "$(DESTDIR)$(PREFIX)/bin/" || exit 1; \
	done

## Build the example shop into public/.
site:
	$(SWIFT) run storefront build

## Validate content/ without writing anything.
check:
	$(SWIFT) run storefront check

clean:
	rm -rf public .storefront-cache .data

## Benchmarks (benchmarks/RESULTS.md): generator against Hugo at 10,000 and 100,000 products, then the
## order API and page weights. BASELINE_STOREFRONT=path compares the output tree with that binary's.
BENCH_WORK ?= /tmp/storefront-bench
bench: bench-deps
	$(SWIFT) build -c release --product storefront
	python3 benchmarks/bench_generator.py --work $(BENCH_WORK) --sizes 10000 --runs 3
	python3 benchmarks/bench_generator.py --work $(BENCH_WORK) --sizes 100000 --runs 3 --hugo-runs $${HUGO_RUNS_100K:-1}
	$(MAKE) bench-api bench-pages bench-merchant bench-images

## Generator only, 10,000 products.
bench-quick: bench-deps
	$(SWIFT) build -c release --product storefront
	python3 benchmarks/bench_generator.py --work $(BENCH_WORK) --sizes 10000 --runs 3

bench-api: bench-deps
	$(SWIFT) build -c release --product order-api
	[ -d $(BENCH_WORK)/sf-100000/content ] || python3 benchmarks/bench_generator.py --work $(BENCH_WORK) --sizes 100000 --prepare-only
	python3 benchmarks/bench_api.py --content $(BENCH_WORK)/sf-100000/content

## The merchant-listing check (tools/check_merchant_listings.py) over the 10,000-product site: its
## last lines, the count of errors and warnings by page (it exits 1 on any; the summary is the result).
bench-merchant:
	$(SWIFT) build -c release --product storefront
	[ -d $(BENCH_WORK)/sf-10000/content ] || python3 benchmarks/bench_generator.py --work $(BENCH_WORK) --sizes 10000 --prepare-only
	.build/release/storefront build --content $(BENCH_WORK)/sf-10000/content --out $(BENCH_WORK)/sf-10000/merchant --site-status site-status.json
	python3 tools/check_merchant_listings.py $(BENCH_WORK)/sf-10000/merchant | tail -3

## The image step (README "Images"): 2,000 generated photos beside the 10,000- and 100,000-product
## catalogs: first build, price-edit rebuilds against the same catalog without images, one photo
## edited, and the bytes a phone loads (benchmarks/bench_images.py; photos from make-photos.py).
bench-images: bench-deps
	$(SWIFT) build -c release --product storefront
	python3 benchmarks/bench_images.py --bin .build/release/storefront --work $(BENCH_WORK)/images --sizes 10000,100000

bench-pages:
	$(SWIFT) build -c release --product storefront
	python3 benchmarks/page_weights.py

bench-deps:
	scripts/install-deps.sh hugo wrk time libvips-tools

