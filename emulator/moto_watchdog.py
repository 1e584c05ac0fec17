"""Runs moto_server, and stops it as soon as the process that started it goes away.

The starter keeps our stdin open and never writes to it. When the starter
exits (normally, on a crash, or killed with SIGKILL) the pipe closes, the read
below returns, and the server exits: no emulator is left listening after a
test run, whatever happened to the test run.

Arguments are those of moto_server (-H 127.0.0.1 -p PORT).
"""

import os
import sys
import threading

import moto.server
from werkzeug.serving import run_simple

# One request at a time inside moto. DynamoDB answers a conditional write
# atomically; moto checks the condition and writes without a lock, so two
# requests handled in parallel threads can both pass the same condition
# (two deliveries both "claiming" an incident). The responder's exactly-once
# guarantees rest on that atomicity, so the emulator must give it: requests
# are still accepted in parallel, and each is answered whole in turn.
_one_at_a_time = threading.Lock()


def _run_serialized(host, port, app, **options):
    def serialized(environ, start_response):
        with _one_at_a_time:
            return list(app(environ, start_response))

    run_simple(host, port, serialized, **options)


moto.server.run_simple = _run_serialized


# EC2's security groups of an instance are those of its primary network
# interface: ModifyInstanceAttribute (groupSet) replaces the primary
# interface's groups, and EC2 refuses it for an instance with several
# interfaces ("There are multiple interfaces attached to instance ...",
# InvalidInstanceID). moto keeps the instance's groups apart and adds them to
# every attached interface's when read back, and accepts several interfaces.
# The responder's early move (lambda/playbooks/contain-instance/early/)
# depends on EC2's behaviour, so the emulator is made to give it: the
# instance's groups and its primary interface's are one list, whichever call
# sets them (test/integration/emulator-instance-groups.test.ts).
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.elastic_network_interfaces import NetworkInterface, NetworkInterfaceBackend
from moto.ec2.models.instances import InstanceBackend


def _modify_instance_security_groups(self, instance_id, new_group_id_list):
    instance = self.get_instance(instance_id)
    if len(instance.nics) > 1:
        raise EC2ClientError(
            "InvalidInstanceID",
            f"There are multiple interfaces attached to instance '{instance_id}'. "
            "Please specify an interface ID for the operation instead.",
        )
    groups = [self.get_security_group_from_id(group_id) for group_id in new_group_id_list]
    instance.security_groups = groups
    primary = instance.nics.get(0)
    if primary is not None:
        primary._group_set = list(groups)
    return instance


_modify_interface_attribute = NetworkInterfaceBackend.modify_network_interface_attribute


def _modify_network_interface_attribute(self, eni_id, group_ids, *args, **kwargs):
    _modify_interface_attribute(self, eni_id, group_ids, *args, **kwargs)
    eni = self.get_network_interface(eni_id)
    instance = eni.instance
    if group_ids and instance is not None and instance.nics.get(0) is eni:
        instance.security_groups = list(eni._group_set)


InstanceBackend.modify_instance_security_groups = _modify_instance_security_groups
# Each interface shows its own groups, as in EC2 (moto adds the instance's to every attached one).
NetworkInterface.group_set = property(lambda self: self._group_set)
NetworkInterfaceBackend.modify_network_interface_attribute = _modify_network_interface_attribute


def exit_when_starter_is_gone() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


threading.Thread(target=exit_when_starter_is_gone, daemon=True).start()
moto.server.main(sys.argv[1:])
