def test_factories_build_every_persona(
    alice, bob, rep, official, leader, staff, client
):
    from chamber.roles import roles_of

    assert roles_of(rep.user).is_representative
    assert roles_of(official.user).is_official
    assert roles_of(leader.user).is_leader
    assert roles_of(staff).is_staff
    assert not roles_of(alice.user).is_representative
