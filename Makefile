# Shortcuts for the two quick-start scripts (which need nothing but bash and Swift).
.PHONY: run test
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
