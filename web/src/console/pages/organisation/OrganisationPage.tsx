import { Grid, Paper, Stack, Text, Title } from '@mantine/core';
import {
  useCompanies,
  useCreateCompany,
  useDeleteCompany,
  useDeleteDepartment,
  useDeletePosition,
  usePositions,
  useRenameCompany,
  useRenameDepartment,
  useRenamePosition,
} from '../../api/organisation';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { AddNameForm } from './AddNameForm';
import { CompanyCard } from './CompanyCard';
import { PositionsCard } from './PositionsCard';
import { RenameDialog } from './RenameDialog';
import { kindLabel, useOrgDialogs, type OrgTarget } from './use-org-dialogs';

export function OrganisationPage() {
  const companies = useCompanies();
  const positions = usePositions();
  const createCompany = useCreateCompany();
  const rename = {
    company: useRenameCompany(),
    department: useRenameDepartment(),
    position: useRenamePosition(),
  };
  const remove = {
    company: useDeleteCompany(),
    department: useDeleteDepartment(),
    position: useDeletePosition(),
  };
  const { renaming, setRenaming, deleting, setDeleting } = useOrgDialogs();
  const shownRename = useLastDefined(renaming);
  const shownDelete = useLastDefined(deleting);

  const addCompany = (name: string) => createCompany.mutateAsync(name).then(() => notifySuccess(`Company ${name} added.`));

  const startRename = (target: OrgTarget) => setRenaming(target);

  const submitRename = async (name: string) => {
    if (!renaming) return;
    await rename[renaming.kind].mutateAsync({ id: renaming.id, name });
  };

  const confirmDelete = () => {
    if (!deleting) return;
    const target = deleting;
    remove[target.kind].mutate(target.id, {
      onSuccess: () => notifySuccess(`${target.name} was deleted.`),
      onError: (error) => notifyError(error, `Could not delete the ${kindLabel[target.kind]}`),
      onSettled: () => setDeleting(null),
    });
  };

  return (
    <>
      <PageHeader title="Organisation" description="Companies, their departments, and positions." />
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Stack component="section" aria-labelledby="companies-title">
            <Title order={2} size="h3" id="companies-title">
              Companies
            </Title>
            <Paper withBorder radius="md" p="md">
              <AddNameForm label="New company" buttonLabel="Add company" errorTitle="Could not add the company" onAdd={addCompany} />
            </Paper>
            <QueryState query={companies} />
            {companies.data?.length === 0 ? <Text c="dimmed">No companies yet.</Text> : null}
            {companies.data?.map((company) => (
              <CompanyCard key={company.id} company={company} onRename={startRename} onDelete={setDeleting} />
            ))}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack component="section" aria-labelledby="positions-title">
            <Title order={2} size="h3" id="positions-title">
              Positions
            </Title>
            <QueryState query={positions} />
            {positions.data ? <PositionsCard positions={positions.data} onRename={startRename} onDelete={setDeleting} /> : null}
          </Stack>
        </Grid.Col>
      </Grid>

      <RenameDialog
        opened={renaming !== null}
        title={shownRename ? `Rename ${kindLabel[shownRename.kind]}` : ''}
        initialName={shownRename?.name}
        onRename={submitRename}
        onClose={() => setRenaming(null)}
      />
      <ConfirmDialog
        opened={deleting !== null}
        title={shownDelete ? `Delete ${kindLabel[shownDelete.kind]}` : ''}
        confirmLabel="Delete"
        loading={deleting ? remove[deleting.kind].isPending : false}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {shownDelete
          ? `Delete ${shownDelete.name}?` +
            (shownDelete.employeeCount > 0
              ? ` ${shownDelete.employeeCount} employee(s) still reference it, so the server may refuse.`
              : ' This cannot be undone.')
          : ''}
      </ConfirmDialog>
    </>
  );
}
