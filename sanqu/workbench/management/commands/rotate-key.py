"""`sanqu rotate-key`: a fresh field key, and every sensitive value re-encrypted under it.

With a key file (SANQU_KEY_FILE): the new key goes in front of the old ones (the file is rewritten
atomically), the running site picks it up within a second, and every encrypted value is re-encrypted
in batches while the site keeps running. A run that finds values still under an older key resumes
that rotation instead of adding another key. With keys in the environment the command cannot change
them: it prints the new SANQU_FIELD_KEYS to set on every process; after the restart,
`--reencrypt` does the re-encryption.

`--retire-old` drops the older keys once no value under them remains (refused otherwise);
`--lookup` changes the lookup-hash key and recomputes every hash (site stopped: see docs/operations.md);
`--status` counts the values under each key. Every change is written to the audit log.
"""

from __future__ import annotations

import base64
import getpass
import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry
from sanqu.lib import rotation
from sanqu.lib.crypto import Keyring, format_field_keys, new_key, next_key_id
from sanqu.lib.keys import (
    KEY_FILE_CHECK_SECONDS,
    forget_keyring,
    key_file_path,
    keyring,
    keys_from_environment,
    read_key_file,
    replace_key_file,
)


class Command(BaseCommand):
    help = "Rotate the field-encryption key (re-encrypting every sensitive value), or the lookup-hash key."

    def add_arguments(self, parser: CommandParser) -> None:
        step = parser.add_mutually_exclusive_group()
        step.add_argument(
            "--reencrypt",
            action="store_true",
            help="Only re-encrypt values not yet under the current key (after setting new environment keys, "
            "or to finish an interrupted run).",
        )
        step.add_argument(
            "--retire-old",
            action="store_true",
            help="Drop every key but the current one; refused while any value is still under an old key.",
        )
        step.add_argument(
            "--lookup", action="store_true", help="Change the lookup-hash key and recompute every hash."
        )
        step.add_argument("--status", action="store_true", help="Count the stored values under each key.")
        parser.add_argument("--batch-size", type=int, default=rotation.BATCH_SIZE)
        parser.add_argument(
            "--grace",
            type=float,
            default=2 * KEY_FILE_CHECK_SECONDS,
            help="Seconds to wait after writing the key file, so every process of the site reads it.",
        )
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation (--lookup).")

    def handle(self, *args: Any, **options: Any) -> None:
        self.batch_size = max(1, options["batch_size"])
        if options["status"]:
            self.status()
        elif options["retire_old"]:
            self.retire_old()
        elif options["lookup"]:
            self.rotate_lookup(confirmed=options["yes"])
        elif options["reencrypt"]:
            self.reencrypt(new_key_id=None)
        elif keys_from_environment():
            self.print_environment_rotation()
        else:
            self.rotate_in_file(grace=options["grace"])

    # Field keys.

    def status(self) -> None:
        ring = keyring()
        counts = rotation.key_ids_in_use()
        for key_id in [*ring.keys, *(key_id for key_id in counts if key_id not in ring.keys)]:
            label = _("当前密钥") if key_id == ring.current else _("旧密钥")
            if key_id not in ring.keys:
                label = _("密钥环中没有此密钥")
            self.stdout.write(
                _("%(key)s（%(label)s）：%(count)s 个加密值")
                % {"key": key_id, "label": label, "count": counts[key_id]}
            )

    def rotate_in_file(self, *, grace: float) -> None:
        path = key_file_path()
        pending = rotation.pending_rows()
        if pending:
            self.stdout.write(
                _("上次轮换到 %(key)s 尚未完成，继续重新加密（不再新增密钥）。") % {"key": keyring().current}
            )
            self.reencrypt(new_key_id=None)
            return
        content = read_key_file(path)
        ring = Keyring.parse(content["field_keys"], content["lookup_key"])
        key_id = next_key_id(ring.keys)
        content["field_keys"] = f"{key_id}:{new_key()},{content['field_keys']}"
        replace_key_file(path, content)
        forget_keyring()
        self.stdout.write(
            _("新密钥 %(key)s 已写入 %(path)s，旧密钥保留在其后。") % {"key": key_id, "path": path}
        )
        if grace > 0:
            # Every process re-reads the key file within KEY_FILE_CHECK_SECONDS: once the wait is over,
            # none of them meets a value under the new key without knowing the key.
            time.sleep(grace)
        self.reencrypt(new_key_id=key_id)

    def print_environment_rotation(self) -> None:
        ring = keyring()
        key_id = next_key_id(ring.keys)
        keys = {key_id: base64.b64decode(new_key()), **ring.keys}
        self.stdout.write(_("密钥来自环境变量，本命令无法修改。请在站点的每个进程上设置："))
        self.stdout.write(f"SANQU_FIELD_KEYS={format_field_keys(keys)}")
        self.stdout.write(
            _("重启这些进程后运行 sanqu rotate-key --reencrypt，完成后再运行 sanqu rotate-key --retire-old。")
        )

    def reencrypt(self, *, new_key_id: str | None) -> None:
        current = keyring().current
        self.stdout.write(_("把全部加密字段重新加密到密钥 %(key)s……") % {"key": current})
        rewritten = rotation.reencrypt(batch_size=self.batch_size, progress=self.progress)
        remaining = rotation.pending_rows()
        self.record(
            {"operation": "rotate-key", "key": current, "new_key": bool(new_key_id), "values": rewritten}
        )
        self.stdout.write(
            _("已重新加密 %(count)s 个值，现全部在密钥 %(key)s 下。") % {"count": rewritten, "key": current}
            if not remaining
            else _("已重新加密 %(count)s 个值；仍有记录在旧密钥下（运行期间被修改），请再运行一次。")
            % {"count": rewritten}
        )

    def retire_old(self) -> None:
        ring = keyring()
        old = [key_id for key_id in ring.keys if key_id != ring.current]
        if not old:
            self.stdout.write(_("密钥环中只有当前密钥 %(key)s，无需停用。") % {"key": ring.current})
            return
        counts = rotation.key_ids_in_use()
        still = {key_id: counts[key_id] for key_id in counts if key_id != ring.current}
        if still:
            raise CommandError(
                _("仍有 %(count)s 个值在旧密钥（%(keys)s）下，拒绝停用：先运行 rotate-key --reencrypt。")
                % {"count": sum(still.values()), "keys": "、".join(sorted(still))}
            )
        kept = {ring.current: ring.keys[ring.current]}
        if keys_from_environment():
            self.stdout.write(_("已确认没有值在旧密钥下。请在站点的每个进程上设置并重启："))
            self.stdout.write(f"SANQU_FIELD_KEYS={format_field_keys(kept)}")
        else:
            path = key_file_path()
            content = read_key_file(path)
            content["field_keys"] = format_field_keys(kept)
            replace_key_file(path, content)
            forget_keyring()
            self.stdout.write(
                _("已从 %(path)s 删除旧密钥 %(keys)s。") % {"path": path, "keys": "、".join(old)}
            )
        self.record({"operation": "retire-keys", "retired": old, "key": ring.current})

    # The lookup key.

    def rotate_lookup(self, *, confirmed: bool) -> None:
        if keys_from_environment():
            old_key = keyring().lookup_key
            encoded = os.environ.get("SANQU_NEW_LOOKUP_KEY", "")
            if not encoded:
                self.stdout.write(_("密钥来自环境变量。先停止站点，再以新的查找密钥运行："))
                self.stdout.write(f"SANQU_NEW_LOOKUP_KEY={new_key()} sanqu rotate-key --lookup")
                return
            new = base64.b64decode(encoded)
        else:
            path = key_file_path()
            content = read_key_file(path)
            if "previous_lookup_key" not in content:
                content["previous_lookup_key"] = content["lookup_key"]
                content["lookup_key"] = new_key()
            old_key = base64.b64decode(content["previous_lookup_key"])
            new = base64.b64decode(content["lookup_key"])
        if len(new) < 32:
            raise CommandError(_("新的查找密钥至少要 32 字节（base64 编码）。"))
        if not confirmed and not self.confirm(
            _("重算查找摘要期间，按身份证号查找和查重会查不到尚未重算的记录：请先停止站点。继续吗？[y/N] ")
        ):
            raise CommandError(_("已取消，未做任何修改。"))
        if not keys_from_environment():
            replace_key_file(path, content)  # the new key is kept before any hash uses it
            forget_keyring()
        self.stdout.write(_("重算身份证号查找摘要……"))
        try:
            changed = rotation.rehash(
                old_key=old_key, new_key=new, batch_size=self.batch_size, progress=self.progress
            )
        except rotation.RotationError as error:
            raise CommandError(_("查找摘要与新旧密钥都不符，已停止：%(error)s") % {"error": error}) from error
        if keys_from_environment():
            self.stdout.write(_("完成。请把 SANQU_LOOKUP_KEY 设为 SANQU_NEW_LOOKUP_KEY 的值，再启动站点。"))
        else:
            content.pop("previous_lookup_key")
            replace_key_file(path, content)
            forget_keyring()
            self.stdout.write(_("完成，%(path)s 中的查找密钥已更换。") % {"path": path})
        self.record({"operation": "rotate-lookup-key", "hashes": changed})

    # Helpers.

    def confirm(self, question: str) -> bool:
        self.stdout.write(question, ending="")
        self.stdout.flush()
        return input().strip().lower() in {"y", "yes", "是"}

    def progress(self, table: str, done: int, total: int) -> None:
        self.stdout.write(f"  {table}: {done}/{total}")

    def record(self, detail: dict[str, Any]) -> None:
        audit.record(
            actor=None, action=AuditEntry.Action.UPDATE, detail={**detail, "os_user": getpass.getuser()}
        )
