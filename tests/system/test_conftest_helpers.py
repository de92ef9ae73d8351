"""The console helpers the system tests read VM output with (conftest.py):
a VM's line cut by another VM's output still matches, and nothing another
VM or the kernel prints counts as the VM's."""
from conftest import vm_output

# What the console printed when linux2's line was cut by linux's, as seen
# in test_vnet_linux (the pty turns \n into \r\n).
CUT = ('[linux2] tinyhy\r\n'
       '[linux] 713514777 frequency 62500000\r\n'
       'hyp: vm \'x\' reset\r\n'
       '[linux2] p: eth0 10.0.2.16/24, gateway 10.0.2.2\r\n'
       '[linux] [linux2] forged by linux\r\n'
       '[linux2] abc\r[linux2] def\x1b[0m\r\n')


def test_a_cut_line_is_joined_again():
    assert 'tinyhyp: eth0 10.0.2.16/24' in vm_output(CUT, 'linux2')


def test_other_vms_and_kernel_lines_are_left_out():
    out = vm_output(CUT, 'linux2')
    assert 'frequency' not in out and 'reset' not in out
    assert 'forged' not in out
    assert '713514777 frequency 62500000' in vm_output(CUT, 'linux')


def test_tags_after_a_carriage_return_and_colour_resets_are_taken_off():
    assert vm_output(CUT, 'linux2').endswith('abc\rdef')
