//! What can be asked of an owner: each command, validated from its request body, and the
//! decision it asks of the owner.
//!
//! Personal values are validated in clear, exactly as before, and sealed only once the whole
//! body is valid (SPEC §7): a command holds them [`Sealed`], each under its JSON field name.

use chrono::NaiveDate;
use es_core::{Decide, Input, Sealed, Sealer, ValidationError};
use serde_json::Value;
use std::ops::RangeInclusive;
use uuid::Uuid;

use super::{Owner, OwnerError, OwnerEvent, NATIONAL_ID_SCOPE, OWNER_PERSONAL_FIELDS};
use crate::change::{changed, changed_opt};
use crate::read::{check, forbid};

const NAME_LEN: RangeInclusive<usize> = 1..=200;
const PHONE_LEN: RangeInclusive<usize> = 5..=30;
const ADDRESS_LEN: RangeInclusive<usize> = 1..=300;
const NATIONAL_ID_LEN: RangeInclusive<usize> = 1..=50;

const PHONE_PROBLEM: &str = "must contain only digits, spaces and + - ( )";
const NATIONAL_ID_PROBLEM: &str = "must contain only letters, digits and dashes";

/// Built from any of its single commands (`From`, derived).
#[derive(Debug, Clone, PartialEq, derive_more::From)]
pub enum OwnerCommand {
    Register(RegisterOwner),
    ChangeDetails(ChangeOwnerDetails),
    /// `DELETE /owners/{owner_id}/personal-data`, once the owner's key is destroyed: the
    /// state forgets the sealed values. Erasing twice appends nothing.
    #[from(skip)]
    ErasePersonalData,
}

/// `POST /owners`
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterOwner {
    pub owner_id: Uuid,
    pub name: Sealed,
    /// `YYYY-MM-DD`, sealed.
    pub birth_date: Sealed,
    pub email: Sealed,
    pub phone: Option<Sealed>,
    pub address: Option<Sealed>,
    /// Trimmed and upper-cased, sealed.
    pub national_id: Sealed,
    /// `sealer.fingerprint(NATIONAL_ID_SCOPE, national_id)`: what the uniqueness guard holds.
    pub national_id_fingerprint: String,
}

impl RegisterOwner {
    /// `today` bounds `birth_date`: it must be strictly before it. `sealer` is bound to the
    /// new owner's key; nothing is sealed unless the body is valid.
    pub fn from_json(
        owner_id: Uuid,
        body: &Value,
        today: NaiveDate,
        sealer: &dyn Sealer,
    ) -> Result<Self, ValidationError> {
        let mut input = Input::object(body, &OWNER_PERSONAL_FIELDS);
        let details = Details::read(&mut input, today, true);
        let national_id = national_id(&mut input);
        input.finish()?;
        let national_id = national_id.unwrap_or_default();
        let details = details.seal(sealer);
        // `finish` refused a body without the required details, so they are here.
        let required = |value: Option<Sealed>| value.expect("a required detail");
        Ok(Self {
            owner_id,
            name: required(details.name),
            birth_date: required(details.birth_date),
            email: required(details.email),
            phone: details.phone,
            address: details.address,
            national_id_fingerprint: sealer.fingerprint(NATIONAL_ID_SCOPE, &national_id),
            national_id: sealer.seal("national_id", &national_id),
        })
    }
}

/// `PATCH /owners/{owner_id}`: the fields to set; at least one. `national_id` is the owner's
/// identity and cannot be changed. A `null` is the same as an absent field, so a phone or an
/// address can be replaced but not removed. The values are sealed with the owner's key.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeOwnerDetails {
    pub name: Option<Sealed>,
    /// `YYYY-MM-DD`, sealed.
    pub birth_date: Option<Sealed>,
    pub email: Option<Sealed>,
    pub phone: Option<Sealed>,
    pub address: Option<Sealed>,
}

impl ChangeOwnerDetails {
    /// What `PATCH` may change: all but `national_id`.
    const FIELDS: &'static [&'static str] = OWNER_PERSONAL_FIELDS.split_at(5).0;

    pub fn from_json(
        body: &Value,
        today: NaiveDate,
        sealer: &dyn Sealer,
    ) -> Result<Self, ValidationError> {
        let mut input = Input::object(body, &OWNER_PERSONAL_FIELDS);
        let details = Details::read(&mut input, today, false);
        forbid(&mut input, "national_id", "cannot be changed");
        input.require_any(Self::FIELDS);
        input.finish()?;
        Ok(details.seal(sealer))
    }
}

// The decisions: what an owner in a given state records for each command, or why it refuses.

impl Decide<Owner> for OwnerCommand {
    fn decide(&self, owner: &Owner) -> Result<Vec<OwnerEvent>, OwnerError> {
        match self {
            Self::Register(c) => c.decide(owner),
            Self::ChangeDetails(c) => c.decide(owner),
            Self::ErasePersonalData => erase_personal_data(owner),
        }
    }
}

impl RegisterOwner {
    fn decide(&self, owner: &Owner) -> Result<Vec<OwnerEvent>, OwnerError> {
        if owner.exists() {
            return Err(OwnerError::AlreadyRegistered);
        }
        Ok(vec![OwnerEvent::OwnerRegistered {
            owner_id: self.owner_id,
            name: self.name.clone(),
            birth_date: self.birth_date.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            national_id: self.national_id.clone(),
            national_id_fingerprint: self.national_id_fingerprint.clone(),
        }])
    }
}

impl ChangeOwnerDetails {
    /// Sealing is deterministic for one key, so comparing sealed values tells what changed.
    fn decide(&self, owner: &Owner) -> Result<Vec<OwnerEvent>, OwnerError> {
        if !owner.exists() {
            return Err(OwnerError::NotFound);
        }
        let Some(current) = &owner.personal else {
            return Err(OwnerError::PersonalDataErased);
        };
        let name = changed(&self.name, &current.name);
        let birth_date = changed(&self.birth_date, &current.birth_date);
        let email = changed(&self.email, &current.email);
        let phone = changed_opt(&self.phone, &current.phone);
        let address = changed_opt(&self.address, &current.address);
        if name.is_none()
            && birth_date.is_none()
            && email.is_none()
            && phone.is_none()
            && address.is_none()
        {
            return Ok(Vec::new());
        }
        Ok(vec![OwnerEvent::OwnerDetailsChanged {
            name,
            birth_date,
            email,
            phone,
            address,
        }])
    }
}

fn erase_personal_data(owner: &Owner) -> Result<Vec<OwnerEvent>, OwnerError> {
    if !owner.exists() {
        return Err(OwnerError::NotFound);
    }
    if owner.personal.is_none() {
        return Ok(Vec::new());
    }
    Ok(vec![OwnerEvent::OwnerPersonalDataErased {}])
}

/// The details a registration and a `PATCH` both give, validated in clear, in the order their
/// problems are reported.
struct Details {
    name: Option<String>,
    birth_date: Option<NaiveDate>,
    email: Option<String>,
    phone: Option<String>,
    address: Option<String>,
}

impl Details {
    /// A registration requires the name, birth date and email (`is_required`); a `PATCH`
    /// requires nothing. The phone and the address are optional either way.
    fn read(input: &mut Input<'_>, today: NaiveDate, is_required: bool) -> Self {
        Self {
            name: input.required_if("name", is_required, |i, f| i.opt_string(f, NAME_LEN)),
            birth_date: birth_date(input, today, is_required),
            email: input.required_if("email", is_required, Input::opt_email),
            phone: phone(input),
            address: input.opt_string("address", ADDRESS_LEN),
        }
    }

    /// Each value given, sealed under its field's name (a birth date as its `YYYY-MM-DD`).
    fn seal(self, sealer: &dyn Sealer) -> ChangeOwnerDetails {
        let seal = |field: &str, value: Option<String>| value.map(|v| sealer.seal(field, &v));
        let birth_date = self.birth_date.map(|d| d.format("%Y-%m-%d").to_string());
        ChangeOwnerDetails {
            name: seal("name", self.name),
            birth_date: seal("birth_date", birth_date),
            email: seal("email", self.email),
            phone: seal("phone", self.phone),
            address: seal("address", self.address),
        }
    }
}

fn birth_date(input: &mut Input<'_>, today: NaiveDate, is_required: bool) -> Option<NaiveDate> {
    let field = "birth_date";
    let date = input.required_if(field, is_required, Input::opt_date);
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");
    let date = check(input, field, date, |d| *d < today, "must be in the past");
    check(
        input,
        field,
        date,
        |d| *d >= earliest,
        "must not be before 1900-01-01",
    )
}

fn phone(input: &mut Input<'_>) -> Option<String> {
    let phone = input.opt_string("phone", PHONE_LEN);
    let allowed = |c: char| c.is_ascii_digit() || " +-()".contains(c);
    check(
        input,
        "phone",
        phone,
        |p| p.chars().all(allowed),
        PHONE_PROBLEM,
    )
}

fn national_id(input: &mut Input<'_>) -> Option<String> {
    let field = "national_id";
    let id = input
        .required(field, |i, f| i.opt_string(f, NATIONAL_ID_LEN))
        .map(|id| id.to_ascii_uppercase());
    let allowed = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-';
    check(
        input,
        field,
        id,
        |id| id.chars().all(allowed),
        NATIONAL_ID_PROBLEM,
    )
}
