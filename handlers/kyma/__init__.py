"""Kyma APIRules: the v1beta1/v2alpha1/v2 model, reading them from the cluster (in the version
they were written in) with their JWKS key ids, what each rule would answer a token, and the
routes that say which rule a URL falls under."""
