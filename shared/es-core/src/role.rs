//! The roles of SPEC §7: who may call the API, as the identity provider names them.

crate::wire_enum! {
    "lowercase",
    /// A token's role: a Cognito group in AWS, the `cognito:groups` claim of its token. The
    /// API's access rules and the local cloud's token minting both read this one list.
    #[derive(PartialOrd, Ord)]
    pub enum Role {
        Operator,
        Auditor,
        Radar,
        Owner,
        Customer,
    }
}

impl Role {
    pub const ALL: &'static [Role] = <Self as strum::VariantArray>::VARIANTS;

    /// Whether a token of this role carries the id of the one subject it acts for (a radar,
    /// an owner, a customer).
    pub fn is_bound(self) -> bool {
        matches!(self, Role::Radar | Role::Owner | Role::Customer)
    }
}

#[cfg(test)]
#[test]
fn wire_names_agree_with_serde() {
    crate::testing::wire_names::<Role>(&["operator", "auditor", "radar", "owner", "customer"]);
    assert_eq!(Role::parse("auditor"), Some(Role::Auditor));
    assert_eq!(Role::parse("Auditor"), None);
}
