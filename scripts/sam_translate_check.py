"""Proves that AWS SAM can expand template.yaml into plain CloudFormation, offline.

Run by scripts/lint-template (which provides the pinned aws-sam-translator and PyYAML).

- The template is read with a plain YAML parser (yaml.safe_load), as the local runner reads it:
  a short-form intrinsic tag (!Ref, !GetAtt, !Sub...) makes this fail.
- samtranslator's transform() normally asks IAM for the AWS managed policies' ARNs (through
  ManagedPolicyLoader); the template names none (SAM adds the ones its event sources need by ARN
  itself), so a loader that knows no names keeps the check offline.
- The translator only accepts uploaded code (s3://...), so each local CodeUri is replaced by the
  S3 location `sam package` would give it, as cfn-lint does before its own transform.
- Every AWS::Serverless::Function must build with rust-cargolambda and name its binary.
- Every Ref, Fn::GetAtt and Fn::Sub ${...} of the expanded template names something that exists
  (cfn-lint does not look inside everything SAM generates, e.g. a stream's DestinationConfig).

Exits non-zero on the first problem.
"""

import os
import re
import sys
from collections import Counter

import yaml
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform


class OfflineManagedPolicyLoader:
    """Stands in for samtranslator's ManagedPolicyLoader: knows no managed policy names."""

    def load(self):
        return {}


def fail(message):
    print(f"sam-translate: {message}", file=sys.stderr)
    sys.exit(1)


def check_functions(template):
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        metadata = resource.get("Metadata") or {}
        if metadata.get("BuildMethod") != "rust-cargolambda":
            fail(f"{name}: Metadata.BuildMethod must be rust-cargolambda")
        if not (metadata.get("BuildProperties") or {}).get("Binary"):
            fail(f"{name}: Metadata.BuildProperties.Binary must name the function's binary")
        if not str((resource.get("Properties") or {}).get("CodeUri", "")).startswith("functions/"):
            fail(f"{name}: CodeUri must be the function's crate folder, functions/<service>")


PSEUDO_PARAMETERS = {
    "AWS::AccountId", "AWS::NoValue", "AWS::NotificationARNs", "AWS::Partition", "AWS::Region",
    "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
}


def references(node):
    """Yields every logical id the expanded template refers to (Ref, Fn::GetAtt, Fn::Sub)."""
    if isinstance(node, list):
        for item in node:
            yield from references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                if isinstance(target, str):
                    yield target
            elif key == "Fn::Sub":
                text, variables = (value[0], value[1]) if isinstance(value, list) else (value, {})
                yield from references(variables)
                for name in re.findall(r"\$\{([^!}][^}]*)\}", text):
                    name = name.split(".")[0]
                    if name not in variables:
                        yield name
            else:
                yield from references(value)


def check_references(output):
    known = set(output.get("Resources", {})) | set(output.get("Parameters", {})) | PSEUDO_PARAMETERS
    missing = sorted(set(references(output)) - known)
    if missing:
        fail(f"references to nothing: {', '.join(missing)}")


def as_packaged(template):
    """Points every local CodeUri at S3, like `sam package` after `sam build`."""
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = f"s3://sam-translate-check/{name}.zip"
    return template


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
    # The translator builds some ARNs from the region; any region will do offline.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    try:
        with open(path, encoding="utf-8") as file:
            template = yaml.safe_load(file)
    except yaml.YAMLError as error:
        fail(f"{path} is not plain YAML (short-form intrinsic tags?): {error}")

    check_functions(template)

    try:
        output = transform(as_packaged(template), {}, OfflineManagedPolicyLoader())
    except InvalidDocumentException as error:
        fail("; ".join(cause.message for cause in error.causes))

    check_references(output)
    counts = Counter(resource["Type"] for resource in output["Resources"].values())
    leftover = sorted(t for t in counts if t.startswith("AWS::Serverless::"))
    if leftover:
        fail(f"untransformed resources remain: {', '.join(leftover)}")
    print(f"sam-translate: {path} expands to {sum(counts.values())} CloudFormation resources:")
    for kind, count in sorted(counts.items()):
        print(f"  {count:3} {kind}")


if __name__ == "__main__":
    main()
