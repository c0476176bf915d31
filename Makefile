# GAN Zoo: the two commands of the README, and their helpers.
#   make train   set up, build (release) and train the default model on digit 4 of the shipped subset
#   make test    set up, build and run the whole test suite, and build the library example
#   make install PREFIX=DIR   install gan, its man page and its bash/zsh/fish completion under DIR
SHELL := /bin/bash
SWIFT ?= swift
OUT ?= out
EPOCHS ?= 40
PREFIX ?= /usr/local

.PHONY: train test deps build clean example install

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
	$(MAKE) example

# Examples/SampleZoo depends on this package as another package would: a debug build (about a
# minute) and one run that samples a zoo model into a PNG.
example:
	$(SWIFT) build --package-path Examples/SampleZoo
	@mkdir -p $(OUT)
	Examples/SampleZoo/.build/debug/SampleZoo mlp-digit4 $(OUT)/example-samples.png

# The binary keeps reading the zoo (models/) and the shipped data from this checkout.
# The man page comes from swift-argument-parser's generate-manual plugin.
install: build
	$(SWIFT) package plugin generate-manual
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 .build/release/gan $(DESTDIR)$(PREFIX)/bin/gan
	install -m 644 .build/plugins/GenerateManual/outputs/gan/gan.1 $(DESTDIR)$(PREFIX)/share/man/man1/gan.1
	.build/release/gan --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/gan
	.build/release/gan --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_gan
	.build/release/gan --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/gan.fish
	@echo "installed gan, its man page and completion under $(DESTDIR)$(PREFIX)"

clean:
	rm -rf .build $(OUT)
