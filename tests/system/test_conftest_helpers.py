"""The console helpers the system tests read VM output with (conftest.py):
a VM's line cut by another VM's output still matches, and nothing another
VM or the kernel prints counts as the VM's."""
from conftest import vm_output
from test_linux import command_value

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


def test_a_value_read_in_the_shell_skips_a_kernel_warning_in_between():
    # test_rtc on a busy host: Linux warned while `cat since_epoch` ran.
    out = ('1796624450\r\r\n'
           '[    4.456328] hrtimer: interrupt took 51729296 ns\r\r\n')
    assert command_value(out) == '1796624450'
    assert command_value('[    4.1] x\r\n2030-01-01\r\n') == '2030-01-01'
