# GAN Zoo: the two commands of the README, and their helpers.
#   make train   set up, build (release) and train the default model on digit 4 of the shipped subset
#   make test    set up, build and run the whole test suite
SHELL := /bin/bash
SWIFT ?= swift
OUT ?= out
EPOCHS ?= 40

.PHONY: train test deps build clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

train: build
	@mkdir -p $(OUT)
	time .build/release/gan train --arch mlp --loss non-saturating --digit 4 --epochs $(EPOCHS) \
		--out $(OUT)/mlp-digit4.h5 --samples-dir $(OUT)/samples
	.build/release/gan sample --weights $(OUT)/mlp-digit4.h5 --count 64 --seed 0 --out $(OUT)/mlp-digit4.png
	@echo "weights: $(OUT)/mlp-digit4.h5   samples: $(OUT)/mlp-digit4.png (per epoch: $(OUT)/samples/)"

# The suite runs on the release build (the binary users run; allocation and speed
# properties hold there). Without testable imports it shares .build/release with `make train`.
# The tests read the full MNIST (data/mnist): fetched and verified once, a no-op after.
test: build
	python3 scripts/fetch-data.py mnist
	GAN_BINARY=$(CURDIR)/.build/release/gan $(SWIFT) test -c release --disable-testable-imports

clean:
	rm -rf .build $(OUT)
